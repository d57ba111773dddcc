using System.Security.Cryptography;
using System.Text;

namespace EmiPlatform.Api.Tests.Infrastructure;

/// <summary>
/// A receiver's side of the signature contract (docs/api.md), written here independently of the platform's code:
/// the <c>v1=</c> values of <c>Emi-Webhook-Signature</c>, and whether one of them is the HMAC of a given secret.
/// </summary>
public static class ReceiverSignature
{
    public static string[] Values(WebhookReceiver.Received request) =>
        request.Headers["Emi-Webhook-Signature"].Split(',', StringSplitOptions.TrimEntries);

    public static string Expected(string secret, WebhookReceiver.Received request)
    {
        var signed = Encoding.UTF8.GetBytes(request.Headers["Emi-Webhook-Timestamp"] + ".").Concat(request.Body).ToArray();
        return "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    public static bool Accepts(string secret, WebhookReceiver.Received request)
    {
        var expected = Encoding.ASCII.GetBytes(Expected(secret, request));
        return Values(request).Any(v => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(v), expected));
    }
}
