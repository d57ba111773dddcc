using System.Security.Cryptography;
using System.Text;

namespace EmiPlatform.Scoring.Webhooks;

/// <summary>
/// <c>Emi-Webhook-Signature: v1=&lt;hex HMAC-SHA256(secret, "{timestamp}.{body}")&gt;</c>. The timestamp is inside the
/// signed text, so a receiver that rejects old timestamps also rejects replays.
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "Emi-Webhook-Id";
    public const string TimestampHeader = "Emi-Webhook-Timestamp";
    public const string SignatureHeader = "Emi-Webhook-Signature";
    public const string AttemptHeader = "Emi-Webhook-Attempt";

    public static string Compute(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }
}
