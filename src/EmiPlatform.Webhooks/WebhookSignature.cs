using System.Security.Cryptography;
using System.Text;

namespace EmiPlatform.Webhooks;

/// <summary>
/// <c>Emi-Webhook-Signature: v1=&lt;hex HMAC-SHA256(secret, "{timestamp}.{body}")&gt;</c>. The timestamp is inside the
/// signed text, so a receiver that rejects old timestamps also rejects replays. During a secret rotation's window the
/// header lists one <c>v1=</c> per secret, the new one first, comma-separated: a receiver accepts a delivery when any
/// of them matches the secret it holds.
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "Emi-Webhook-Id";
    public const string TimestampHeader = "Emi-Webhook-Timestamp";
    public const string SignatureHeader = "Emi-Webhook-Signature";
    public const string AttemptHeader = "Emi-Webhook-Attempt";

    /// <summary>The header's value: the current secret's signature, then the previous secret's while it is still valid.</summary>
    public static string Header(ClaimedDelivery delivery, long timestamp, ReadOnlySpan<byte> body, DateTimeOffset now) =>
        WebhookSecret.StillValid(delivery.PreviousSecret, delivery.PreviousSecretExpiresAt, now) is { } previous
            ? Compute(delivery.Secret, timestamp, body) + "," + Compute(previous, timestamp, body)
            : Compute(delivery.Secret, timestamp, body);

    public static string Compute(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }
}
