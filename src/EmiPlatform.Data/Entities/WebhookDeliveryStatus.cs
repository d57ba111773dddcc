namespace EmiPlatform.Data.Entities;

/// <summary>pending (due or waiting for its next attempt) → delivered | failed (attempts used up).</summary>
public enum WebhookDeliveryStatus
{
    Pending,
    Delivered,
    Failed,
}
