namespace EmiPlatform.Data.Jobs;

/// <summary>
/// A job this worker owns for one attempt: (worker, attempt) identifies the lease in every later update.
/// <see cref="Sha256"/> is the recording's hash as registered: the bytes scored must have it. <see cref="Waited"/> is how
/// long the job existed before this claim, measured on the database's clock alone.
/// </summary>
public sealed record ClaimedJob(
    Guid Id,
    Guid TenantId,
    Guid StudyId,
    Guid RecordingId,
    Guid BundleId,
    int Attempt,
    int MaxAttempts,
    string Worker,
    string BlobName,
    string FileName,
    string? Media,
    string Sha256,
    TimeSpan Waited);
