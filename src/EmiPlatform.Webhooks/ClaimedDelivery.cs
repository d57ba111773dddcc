namespace EmiPlatform.Webhooks;

/// <summary>
/// A delivery a deliverer holds for one attempt, with the webhook's secret and, after a rotation, the secret it
/// replaced and when that one stops signing.
/// </summary>
public sealed record ClaimedDelivery(
    Guid Id, Guid EventId, int Attempt, string Payload, string Url, string Secret, string? PreviousSecret,
    DateTimeOffset? PreviousSecretExpiresAt, Guid TenantId);
