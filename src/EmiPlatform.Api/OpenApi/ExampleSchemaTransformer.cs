using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace EmiPlatform.Api.OpenApi;

/// <summary>Puts <see cref="ApiExamples"/> on the schemas of their types, serialised with the API's own JSON options.</summary>
internal sealed class ExampleSchemaTransformer(IOptions<JsonOptions> json) : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        // Also when the type is first met as a property (CreatedApiKeyDto in TenantCreatedDto): its schema becomes the component.
        if (ApiExamples.TryGet(context.JsonTypeInfo.Type, json.Value.SerializerOptions, out var example))
        {
            schema.Examples = [JsonNode.Parse(example.GetRawText())!];
        }
        return Task.CompletedTask;
    }
}
