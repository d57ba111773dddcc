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

    /// <summary>When an upload finishes is unknown; a few seconds is when a slot is likely free again.</summary>
    public static ProblemHttpResult TooManyUploads(HttpResponse response)
    {
        response.Headers.RetryAfter = "5";
        return Problem.Create(StatusCodes.Status429TooManyRequests, ProblemTypes.TooManyUploads, "Too many uploads in progress",
            "This tenant already has as many uploads in progress as it may (Coordination:MaxConcurrentUploads); nothing was stored. Retry after 5 s.");
    }

    /// <summary>Another request is completing this very upload; its answer (or a repeat after it) is the one to use.</summary>
    public static ProblemHttpResult CompleteInProgress(HttpResponse response)
    {
        response.Headers.RetryAfter = "5";
        return Problem.Create(StatusCodes.Status409Conflict, ProblemTypes.CompleteInProgress, "Complete in progress",
            "Another request is completing this upload now; nothing was done. Retry after 5 s: a complete that finished answers 200 with the recording.");
    }

    public static ProblemHttpResult Empty() =>
        Problem.Create(StatusCodes.Status422UnprocessableEntity, ProblemTypes.EmptyRecording, "Empty recording", "The upload has no bytes.");

    public static ProblemHttpResult NotMedia(string detail) =>
        Problem.Create(StatusCodes.Status415UnsupportedMediaType, ProblemTypes.NotMedia, "Not an audio or video recording", detail);

    public static ProblemHttpResult Corrupt(string detail) =>
        Problem.Create(StatusCodes.Status422UnprocessableEntity, ProblemTypes.CorruptMedia, "Corrupt recording", detail);

    public static ProblemHttpResult OutOfBounds(string detail) =>
        Problem.Create(StatusCodes.Status422UnprocessableEntity, ProblemTypes.MediaOutOfBounds, "Recording beyond the media limits", detail);
}
