using EmiPlatform.Data.Entities;
using EmiPlatform.Scoring.Webhooks;

namespace EmiPlatform.Api.Dtos;

public sealed record WebhookRequest(string? Url, string? Description);

/// <summary>A webhook as listed: never its secret, only the prefix that tells secrets apart.</summary>
public sealed record WebhookDto(Guid Id, string Url, string? Description, string SecretPrefix, DateTimeOffset CreatedAt)
{
    public static WebhookDto From(Webhook w) => new(w.Id, w.Url, w.Description, WebhookSecret.DisplayPrefix(w.Secret), w.CreatedAt);
}

/// <summary>Returned once, at registration: <see cref="Secret"/> verifies the signatures and cannot be shown again.</summary>
public sealed record CreatedWebhookDto(WebhookDto Webhook, string Secret);

/// <summary>One delivery: of a job event (<see cref="JobId"/>) or of a study.completed event (<see cref="RunId"/>).</summary>
public sealed record WebhookDeliveryDto(
    Guid Id, Guid EventId, string EventType, Guid? JobId, Guid? RunId, WebhookDeliveryStatus Status, int Attempts, int? LastStatusCode,
    string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt)
{
    public static WebhookDeliveryDto From(WebhookDelivery d) => new(
        d.Id, d.EventId, d.EventType, d.JobId, d.RunId, d.Status, d.Attempts, d.LastStatusCode, d.LastError, d.CreatedAt, d.LastAttemptAt,
        d.Status == WebhookDeliveryStatus.Pending ? d.NextAttemptAt : null, d.DeliveredAt);
}
