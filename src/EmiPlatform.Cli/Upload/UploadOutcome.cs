namespace EmiPlatform.Cli.Upload;

/// <summary>One file's result, as shown in the summary table and in <c>--json</c> output.</summary>
internal sealed record UploadOutcome(
    string File,
    string? Participant,
    UploadStatus Status,
    long Bytes,
    string? Sha256,
    Guid? RecordingId,
    double Seconds,
    UploadError? Error);
