namespace EmiPlatform.Abstractions.Tenants;

/// <summary>What the tenant grain's scheduler sees: its share of slots, jobs released (sent or running) and queued.</summary>
[GenerateSerializer, Immutable, Alias("emi.TenantSchedule")]
public sealed record TenantSchedule(
    [property: Id(0)] int Share,
    [property: Id(1)] int InFlight,
    [property: Id(2)] int Waiting);
