using EmiPlatform.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EmiPlatform.Api.Recordings;

/// <summary>The problems an upload can end in; shared by the streamed and the direct path.</summary>
public static class RecordingProblems
{
    public static ProblemHttpResult TooLarge(long max) =>
        Problem.Create(StatusCodes.Status413PayloadTooLarge, ProblemTypes.PayloadTooLarge, "Recording too large",
            $"Recordings may be at most {max} bytes; nothing was stored.");

    public static ProblemHttpResult QuotaExceeded() =>
        Problem.Create(StatusCodes.Status413PayloadTooLarge, ProblemTypes.QuotaExceeded, "Quota exceeded",
            "This recording would exceed the tenant's storage or recording quota; nothing was stored.");

    public static ProblemHttpResult Empty() =>
        Problem.Create(StatusCodes.Status422UnprocessableEntity, ProblemTypes.EmptyRecording, "Empty recording", "The upload has no bytes.");

    public static ProblemHttpResult NotMedia(string detail) =>
        Problem.Create(StatusCodes.Status415UnsupportedMediaType, ProblemTypes.NotMedia, "Not an audio or video recording", detail);

    public static ProblemHttpResult Corrupt(string detail) =>
        Problem.Create(StatusCodes.Status422UnprocessableEntity, ProblemTypes.CorruptMedia, "Corrupt recording", detail);

    public static ProblemHttpResult OutOfBounds(string detail) =>
        Problem.Create(StatusCodes.Status422UnprocessableEntity, ProblemTypes.MediaOutOfBounds, "Recording beyond the media limits", detail);
}
