namespace EmiPlatform.Scoring.Jobs;

/// <summary>
/// The recording's blob no longer holds the bytes whose SHA-256 was registered: it was replaced or changed behind the
/// platform's back. Scoring it would describe other bytes than the row's, and another attempt would find the same, so
/// the job fails at once.
/// </summary>
public sealed class RecordingChangedException(string blobName, string expectedSha256, string actualSha256)
    : Exception($"{Code}: the recording's bytes have SHA-256 {actualSha256}, not the {expectedSha256} registered for them " +
        $"(blob {blobName}); they were changed after registration and were not scored.")
{
    /// <summary>The word job errors and webhooks carry for this failure.</summary>
    public const string Code = "recording-changed";
}
