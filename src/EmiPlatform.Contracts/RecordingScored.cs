namespace EmiPlatform.Contracts;

/// <summary>A recording's timeline and aggregate were written by a bundle (after the transaction that wrote them committed).</summary>
public sealed record RecordingScored(
    Guid JobId,
    Guid TenantId,
    Guid RecordingId,
    Guid BundleId,
    string BundleName,
    string BundleVersion,
    int WindowCount,
    double DurationSeconds);
