using EmiPlatform.Abstractions.Studies;

namespace EmiPlatform.Grains.Studies;

/// <summary>A study run as PostgreSQL holds it: its jobs, each with its recording's duration in seconds.</summary>
public sealed record RunView(Guid Id, DateTimeOffset StartedAt, DateTimeOffset? CompletedAt, IReadOnlyList<(JobSnapshot Job, double Seconds)> Jobs);
