using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;

namespace EmiPlatform.Api.OpenApi;

/// <summary>
/// Adds the problems the middleware answers for an operation, read from its endpoint metadata, to those the endpoint
/// declares itself (<c>ProducesProblem</c>: 404, 409, 413, 415, 422, 503): 401 and 403 from authorization
/// (<c>ApiKeyAuthenticationHandler</c>), 429 from the global rate limiter every request passes, 400, 413 and 415 from
/// binding a JSON body or a typed query parameter (<c>ProblemExceptionHandler</c>), 500 from the exception handler.
/// Every problem response then gets the one problem schema, its description and Retry-After where the answer has one.
/// </summary>
internal sealed class ProblemResponsesTransformer : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var parameters = context.Description.ParameterDescriptions;
        var statuses = new SortedSet<int> { StatusCodes.Status500InternalServerError };
        if (!metadata.OfType<IAllowAnonymous>().Any())
        {
            statuses.Add(StatusCodes.Status401Unauthorized);
            statuses.Add(StatusCodes.Status403Forbidden);
        }
        if (!metadata.OfType<DisableRateLimitingAttribute>().Any())
        {
            statuses.Add(StatusCodes.Status429TooManyRequests);
        }
        if (parameters.Any(p => p.Source == BindingSource.Body))
        {
            statuses.UnionWith([StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType]);
        }
        if (parameters.Any(p => p.Source == BindingSource.Query && p.Type != typeof(string)))
        {
            statuses.Add(StatusCodes.Status400BadRequest);
        }

        operation.Responses ??= [];
        foreach (var status in operation.Responses.Keys.Select(k => int.TryParse(k, out var s) ? s : 0).Where(s => s >= 400))
        {
            statuses.Add(status);
        }
        var schema = await ProblemSchemaAsync(context, cancellationToken);
        foreach (var status in statuses)
        {
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = ProblemResponses.Response(status, schema);
        }
        var ordered = operation.Responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        operation.Responses.Clear();
        foreach (var (status, response) in ordered)
        {
            operation.Responses[status] = response;
        }
    }

    /// <summary>A reference to the shared problem component, created the first time an operation needs it.</summary>
    private static async Task<IOpenApiSchema> ProblemSchemaAsync(OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var document = context.Document!;
        if (document.Components?.Schemas?.ContainsKey(ProblemResponses.SchemaName) != true)
        {
            document.AddComponent(ProblemResponses.SchemaName, await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, cancellationToken));
        }
        return new OpenApiSchemaReference(ProblemResponses.SchemaName, document);
    }
}
