using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Api.Problems;

public static class ProblemsExtensions
{
    /// <summary>Strict JSON in, problem details out for every error, including the framework's own empty 404/405.</summary>
    public static IHostApplicationBuilder AddEmiProblems(this IHostApplicationBuilder builder)
    {
        // DataAnnotations on the request records (and on [AsParameters] groups) checked before a handler runs.
        builder.Services.AddValidation();
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            if (c.ProblemDetails is HttpValidationProblemDetails { Status: StatusCodes.Status400BadRequest } invalid)
            {
                // The validation filter answers 400 through this service, keyed by C# member names: a well-formed request
                // with invalid fields is our 422 keyed by the JSON names the client sent, as the handlers' own checks give.
                c.HttpContext.Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
                var naming = c.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions.PropertyNamingPolicy;
                invalid.Errors = invalid.Errors.ToDictionary(e => JsonPath(e.Key, naming), e => e.Value);
                Problem.Describe(invalid);
            }
            var status = c.ProblemDetails.Status ?? c.HttpContext.Response.StatusCode;
            if (c.ProblemDetails.Type is null || c.ProblemDetails.Type.StartsWith("https://tools.ietf.org", StringComparison.Ordinal))
            {
                c.ProblemDetails.Type = ProblemTypes.ForStatus(status);
            }
            c.ProblemDetails.Extensions["traceId"] = c.HttpContext.TraceIdentifier;
        });
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        // Let binding failures reach the exception handler instead of an empty 400.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.Configure<JsonOptions>(o => ConfigureJson(o.SerializerOptions));
        return builder;
    }

    /// <summary><c>Items[0].Name</c> as the client wrote it: <c>items[0].name</c> under the camelCase policy.</summary>
    private static string JsonPath(string memberPath, JsonNamingPolicy? naming) =>
        naming is null ? memberPath : string.Join('.', memberPath.Split('.').Select(naming.ConvertName));

    public static void ConfigureJson(JsonSerializerOptions options)
    {
        // A misspelt field should fail loudly, not be silently ignored.
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        // Numbers are JSON numbers only: the web defaults also read "12" as 12, which the OpenAPI document then declares
        // as `number | string`, so generated clients type every number as a union (docs/api.md, strict types).
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
    }
}
