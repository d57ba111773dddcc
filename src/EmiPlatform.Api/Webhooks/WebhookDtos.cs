using System.ComponentModel.DataAnnotations;
using EmiPlatform.Api.Validation;
using EmiPlatform.Data;
using EmiPlatform.Data.Entities;
using EmiPlatform.Webhooks;

namespace EmiPlatform.Api.Webhooks;

/// <summary>The URL's rules need DNS (public addresses only), so <see cref="WebhookUrl"/> checks it in the handler.</summary>
public sealed record WebhookRequest([Required] string Url, [StringLength(Limits.NameLength), NoControlCharacters] string? Description);

/// <summary>
/// A webhook as listed: never its secrets, only the prefixes that tell them apart. While a rotation's window is open,
/// <see cref="PreviousSecretPrefix"/> names the old secret that still signs deliveries, until <see cref="PreviousSecretExpiresAt"/>.
/// </summary>
public sealed record WebhookDto(
    Guid Id, string Url, string? Description, string SecretPrefix, DateTimeOffset CreatedAt, DateTimeOffset? SecretRotatedAt,
    string? PreviousSecretPrefix, DateTimeOffset? PreviousSecretExpiresAt)
{
    public static WebhookDto From(Webhook w, DateTimeOffset now)
    {
        var previous = WebhookSecret.StillValid(w.PreviousSecret, w.PreviousSecretExpiresAt, now);
        return new(w.Id, w.Url, w.Description, WebhookSecret.DisplayPrefix(w.Secret), w.CreatedAt, w.SecretRotatedAt,
            previous is null ? null : WebhookSecret.DisplayPrefix(previous), previous is null ? null : w.PreviousSecretExpiresAt);
    }
}

/// <summary>Returned at registration and at each rotation: <see cref="Secret"/> verifies the signatures and cannot be shown again.</summary>
public sealed record WebhookSecretDto(WebhookDto Webhook, string Secret);

/// <summary>One delivery: of a job event (<see cref="JobId"/>) or of a study.completed event (<see cref="RunId"/>).</summary>
public sealed record WebhookDeliveryDto(
    Guid Id, Guid EventId, string EventType, Guid? JobId, Guid? RunId, WebhookDeliveryStatus Status, int Attempts, int? LastStatusCode,
    string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt)
{
    public static WebhookDeliveryDto From(WebhookDelivery d) => new(
        d.Id, d.EventId, d.EventType, d.JobId, d.RunId, d.Status, d.Attempts, d.LastStatusCode, d.LastError, d.CreatedAt, d.LastAttemptAt,
        d.Status == WebhookDeliveryStatus.Pending ? d.NextAttemptAt : null, d.DeliveredAt);
}
