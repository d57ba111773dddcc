using System.Globalization;
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

    /// <summary>A direct upload's blob larger than the size its start declared (and reserved of the quota).</summary>
    public static ProblemHttpResult LargerThanDeclared(long declared) =>
        Problem.Create(StatusCodes.Status413PayloadTooLarge, ProblemTypes.PayloadTooLarge, "Recording larger than declared",
            $"This upload declared sizeBytes {declared} and reserved that much of the quota; the blob is larger, so nothing was stored. " +
            "PUT the declared file again, or start a new upload declaring the file's size.");

    /// <summary>
    /// A direct upload refused at start: what it would reserve, with what the tenant stores and its other open uploads
    /// reserve, is over the storage or recording quota.
    /// </summary>
    public static ProblemHttpResult ReservationExceedsQuota(long reserved, bool declared) =>
        Problem.Create(StatusCodes.Status413PayloadTooLarge, ProblemTypes.QuotaExceeded, "Quota exceeded",
            $"This upload would reserve {reserved} bytes " +
            (declared ? "(its sizeBytes)" : "(Recordings:MaxUploadBytes, since it declared no sizeBytes)") +
            ", which with the tenant's stored bytes and its open direct uploads' reservations would exceed its storage or recording quota; " +
            "nothing was started." + (declared ? "" : " Declaring the file's size reserves only that."));

    /// <summary>Every open-upload slot is held; the oldest frees when its SAS expires, if no complete frees one first.</summary>
    public static ProblemHttpResult TooManyOpenUploads(HttpResponse response, int open, int max, DateTimeOffset? oldestExpiresAt, DateTimeOffset now)
    {
        var wait = oldestExpiresAt is { } oldest ? Math.Max(1, (long)Math.Ceiling((oldest - now).TotalSeconds)) : 1;
        response.Headers.RetryAfter = wait.ToString(CultureInfo.InvariantCulture);
        var expires = oldestExpiresAt is { } at ? $"; the oldest expires at {at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}" : "";
        return Problem.Create(StatusCodes.Status429TooManyRequests, ProblemTypes.TooManyUploads, "Too many open direct uploads",
            $"This tenant has {open} direct uploads open (started, neither completed nor expired) of the {max} it may (Recordings:MaxOpenDirectUploads){expires}; " +
            $"nothing was started. Complete one, or retry after {wait} s.");
    }

    public static ProblemHttpResult TenantSuspended() =>
        Problem.Create(StatusCodes.Status403Forbidden, ProblemTypes.TenantSuspended, "Tenant suspended",
            "This tenant is suspended; contact the platform administrator.");

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
