using EmiPlatform.Api.Problems;
using EmiPlatform.Api.Timelines;
using Microsoft.OpenApi;

namespace EmiPlatform.Api.OpenApi;

/// <summary>
/// What each problem status means in this API, with the problem <c>type</c>s it can carry (docs/api.md, Errors): the
/// description every problem response of the document gets, whoever declared it.
/// </summary>
public static class ProblemResponses
{
    public const string MediaType = "application/problem+json";

    /// <summary>The one component schema every problem response refers to.</summary>
    public const string SchemaName = "ProblemDetails";

    private static readonly Dictionary<int, string> Descriptions = new()
    {
        [StatusCodes.Status400BadRequest] =
            $"{ProblemTypes.MalformedRequest}: the body is not JSON, not UTF-8, has unknown fields or wrong value types, or a query parameter has the wrong type.",
        [StatusCodes.Status401Unauthorized] = $"{ProblemTypes.Unauthorized}: no API key, or a malformed, unknown or revoked one.",
        [StatusCodes.Status403Forbidden] =
            $"{ProblemTypes.Forbidden}: the key's role may not do this; {ProblemTypes.TenantSuspended}: the key's tenant is suspended.",
        [StatusCodes.Status404NotFound] =
            $"{ProblemTypes.NotFound}: no such resource for this tenant (another tenant's id included), or no such model bundle; " +
            $"{ResultProblems.NotScored}: (results) the recording has no results yet, or none from the requested model.",
        [StatusCodes.Status409Conflict] =
            $"{ProblemTypes.Conflict}: a unique value is taken, a limit is reached or the state forbids it; " +
            $"{ProblemTypes.UploadIncomplete}: (direct upload) the blob is not committed yet.",
        [StatusCodes.Status413PayloadTooLarge] =
            $"{ProblemTypes.PayloadTooLarge}: the body is larger than the endpoint accepts; {ProblemTypes.QuotaExceeded}: (uploads) the " +
            "recording would exceed the tenant's storage or recording quota. Nothing was stored.",
        [StatusCodes.Status415UnsupportedMediaType] =
            $"{ProblemTypes.UnsupportedMediaType}: a JSON body sent as another content type; {ProblemTypes.NotMedia}: (uploads) not audio " +
            "or video in an accepted container.",
        [StatusCodes.Status422UnprocessableEntity] =
            $"{ProblemTypes.Validation}: well-formed but invalid fields, 'errors' maps each field to its messages; (uploads) " +
            $"{ProblemTypes.EmptyRecording}, {ProblemTypes.CorruptMedia}, {ProblemTypes.MediaOutOfBounds}.",
        [StatusCodes.Status429TooManyRequests] =
            $"{ProblemTypes.RateLimited}: the key's (or, without a valid key, the address's) request budget is spent; " +
            $"{ProblemTypes.TooManyUploads}: (uploads) the tenant has its maximum of uploads in progress. Nothing was done; retry after Retry-After.",
        [StatusCodes.Status500InternalServerError] = $"{ProblemTypes.Internal}: a bug; quote the traceId.",
        [StatusCodes.Status503ServiceUnavailable] =
            $"{ProblemTypes.CoordinationUnavailable}: a coordinator silo is failing over (seconds), nothing was done, retry after Retry-After; " +
            $"{ProblemTypes.NotReady}: (readiness) the database is unreachable or migrations are pending.",
    };

    public static string Describe(int status) =>
        Descriptions.TryGetValue(status, out var description) ? description : $"A problem with status {status}.";

    /// <summary>A problem response of <paramref name="status"/>; 429 and 503 (when coordinators fail over) carry Retry-After.</summary>
    public static OpenApiResponse Response(int status, IOpenApiSchema problemSchema)
    {
        var response = new OpenApiResponse
        {
            Description = Describe(status),
            Content = new Dictionary<string, OpenApiMediaType> { [MediaType] = new() { Schema = problemSchema } },
        };
        if (status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
        {
            response.Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Retry-After"] = new OpenApiHeader
                {
                    Description = "Whole seconds to wait before trying again.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" },
                },
            };
        }
        return response;
    }
}
