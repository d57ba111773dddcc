namespace EmiPlatform.Data.Jobs;

/// <summary>
/// What a tenant grain's round reads: its jobs in flight, its queued jobs it may release now, and how many other tenants
/// have jobs queued or running.
/// </summary>
public sealed record SchedulingView(int InFlight, IReadOnlyList<ReleasableJob> Due, int OtherTenantsWithWork);
