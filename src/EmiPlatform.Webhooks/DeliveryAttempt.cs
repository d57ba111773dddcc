namespace EmiPlatform.Webhooks;

/// <summary>What one HTTP attempt came to: a 2xx is delivered; anything else (status or error) is retried.</summary>
public sealed record DeliveryAttempt(bool Delivered, int? StatusCode, string? Error);
