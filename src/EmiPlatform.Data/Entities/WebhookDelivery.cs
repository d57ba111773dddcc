using EmiPlatform.Abstractions.Jobs;
using EmiPlatform.Data.Tenancy;

namespace EmiPlatform.Data.Entities;

/// <summary>
/// One event for one webhook (the outbox row). Created by a trigger in the transaction that finishes the job, sent by
/// the deliverer, which records each attempt's outcome here.
/// </summary>
public sealed class WebhookDelivery : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid WebhookId { get; set; }

    /// <summary>Shared by the deliveries of one job completion to each webhook; sent as <c>Emi-Webhook-Id</c>.</summary>
    public Guid EventId { get; set; }

    public required string EventType { get; set; }
    /// <summary>The job of a job.* event; null for study.completed.</summary>
    public Guid? JobId { get; set; }

    public string? JobState { get; set; }

    /// <summary>The study run of a study.completed event.</summary>
    public Guid? RunId { get; set; }

    /// <summary>The exact request body, so every attempt sends and signs the same bytes.</summary>
    public required string Payload { get; set; }

    public WebhookDeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
}
