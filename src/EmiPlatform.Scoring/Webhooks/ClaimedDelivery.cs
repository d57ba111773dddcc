namespace EmiPlatform.Scoring.Webhooks;

/// <summary>A delivery a deliverer holds for one attempt.</summary>
public sealed record ClaimedDelivery(Guid Id, Guid EventId, int Attempt, string Payload, string Url, string Secret);
