namespace EmiPlatform.Data.Jobs;

/// <summary>A queued job its tenant grain may release to the scoring transport now.</summary>
public sealed record ReleasableJob(Guid Id, Guid StudyId, DateTimeOffset CreatedAt);
