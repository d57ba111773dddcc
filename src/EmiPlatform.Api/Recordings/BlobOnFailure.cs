namespace EmiPlatform.Api.Recordings;

/// <summary>What <see cref="RecordingRegistrar"/> does with an upload's blob when registration fails without an answer (an error, a client that hung up).</summary>
public enum BlobOnFailure
{
    /// <summary>Nothing can register it later (a streamed upload's fresh id): delete it, once no row refers to it.</summary>
    Delete,

    /// <summary>A repeat can still register it (a direct upload's <c>complete</c>): it is the upload's only copy; keep it.</summary>
    Keep,
}
