using System.Globalization;
using EmiPlatform.Api.Telemetry;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace EmiPlatform.Api.OpenApi;

/// <summary>
/// Describes <see cref="MetricsApi.Path"/>: the Prometheus exporter maps it as a bare request delegate, which ASP.NET
/// Core's API explorer does not list. Platform admin only, like every authorized endpoint it can answer 401, 403, 429, 500.
/// </summary>
internal sealed class MetricsPathTransformer : IOpenApiDocumentTransformer
{
    private const string Tag = "Telemetry";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var text = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
        var responses = new OpenApiResponses
        {
            ["200"] = new OpenApiResponse
            {
                Description = "The Prometheus text exposition format (text/plain; version=0.0.4), or OpenMetrics text when the Accept header asks for it.",
                Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = text, ["application/openmetrics-text"] = text },
            },
        };
        foreach (var status in new[] { StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status429TooManyRequests,
                     StatusCodes.Status500InternalServerError })
        {
            responses[status.ToString(CultureInfo.InvariantCulture)] =
                ProblemResponses.Response(status, new OpenApiSchemaReference(ProblemResponses.SchemaName, document));
        }
        document.Paths[MetricsApi.Path] = new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    OperationId = "getMetrics",
                    Summary = "Scrape the API host's metrics (Prometheus)",
                    Description = "Every metric of docs/operations.md with every tenant's series; platform admin only " +
                                  "(Prometheus sends the key as a bearer token).",
                    Tags = new HashSet<OpenApiTagReference> { new(Tag, document) },
                    Responses = responses,
                },
            },
        };
        document.Tags ??= new HashSet<OpenApiTag>();
        if (!document.Tags.Any(t => t.Name == Tag))
        {
            document.Tags.Add(new OpenApiTag { Name = Tag });
        }
        return Task.CompletedTask;
    }
}
