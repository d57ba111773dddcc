using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace EmiPlatform.Api.OpenApi;

/// <summary>
/// <c>from_s</c> and <c>to_s</c> are bound as text so that <c>TimelineFilter</c> answers a bad value with a 422 naming
/// the field; on the wire they are numbers of seconds, and the document says so (a generated client sends
/// <c>from_s: 0</c>, not <c>"0"</c>).
/// </summary>
internal sealed class SecondsParametersTransformer : IOpenApiOperationTransformer
{
    private static readonly HashSet<string> Names = ["from_s", "to_s"];

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var parameter in operation.Parameters ?? [])
        {
            if (parameter is OpenApiParameter { In: ParameterLocation.Query, Name: { } name } concrete && Names.Contains(name))
            {
                concrete.Schema = new OpenApiSchema { Type = JsonSchemaType.Number, Format = "double", Minimum = "0" };
                concrete.Description ??= name == "from_s"
                    ? "Only windows that end after this many seconds from the recording's start."
                    : "Only windows that start before this many seconds from the recording's start; greater than from_s.";
            }
        }
        return Task.CompletedTask;
    }
}
