namespace EmiPlatform.Api.Problems;

/// <summary>The stable <c>type</c> of every problem response (RFC 9457); clients branch on these, never on <c>detail</c>. Listed in docs/api.md.</summary>
public static class ProblemTypes
{
    private const string Base = "urn:emi-platform:problem:";

    public const string Validation = Base + "validation";
    public const string MalformedRequest = Base + "malformed-request";
    public const string PayloadTooLarge = Base + "payload-too-large";
    public const string UnsupportedMediaType = Base + "unsupported-media-type";
    public const string Unauthorized = Base + "unauthorized";
    public const string Forbidden = Base + "forbidden";
    public const string TenantSuspended = Base + "tenant-suspended";
    public const string NotFound = Base + "not-found";
    public const string Conflict = Base + "conflict";
    public const string NotReady = Base + "not-ready";
    public const string QuotaExceeded = Base + "quota-exceeded";
    public const string NotMedia = Base + "not-media";
    public const string EmptyRecording = Base + "empty-recording";
    public const string CorruptMedia = Base + "corrupt-media";
    public const string MediaOutOfBounds = Base + "media-out-of-bounds";
    public const string UploadIncomplete = Base + "upload-incomplete";
    public const string CompleteInProgress = Base + "complete-in-progress";
    public const string CoordinationUnavailable = Base + "coordination-unavailable";
    public const string RateLimited = Base + "rate-limited";
    public const string TooManyUploads = Base + "too-many-uploads";
    public const string TooManyStreams = Base + "too-many-streams";
    public const string InvalidEvents = Base + "invalid-events";
    public const string Internal = Base + "internal";

    public static string ForStatus(int status) => status switch
    {
        StatusCodes.Status400BadRequest => MalformedRequest,
        StatusCodes.Status401Unauthorized => Unauthorized,
        StatusCodes.Status403Forbidden => Forbidden,
        StatusCodes.Status404NotFound => NotFound,
        StatusCodes.Status405MethodNotAllowed => MalformedRequest,
        StatusCodes.Status409Conflict => Conflict,
        StatusCodes.Status413PayloadTooLarge => PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
        StatusCodes.Status422UnprocessableEntity => Validation,
        StatusCodes.Status429TooManyRequests => RateLimited,
        StatusCodes.Status503ServiceUnavailable => NotReady,
        _ => Internal,
    };
}
