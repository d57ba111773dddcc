using System.Text.Json.Nodes;
using EmiPlatform.Api.Problems;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace EmiPlatform.Api.OpenApi;

/// <summary>
/// The problem schema as our problems are written (<see cref="ProblemsExtensions"/>): RFC 9457's members, the
/// <c>traceId</c> every problem carries and the <c>errors</c> a validation problem maps field by field.
/// </summary>
internal sealed class ProblemSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonTypeInfo.Type != typeof(ProblemDetails) || context.JsonPropertyInfo is not null)
        {
            return Task.CompletedTask;
        }
        schema.Description = "An RFC 9457 problem. Branch on 'type' (a urn:emi-platform:problem: URN listed in docs/api.md); 'detail' is for people.";
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        schema.Properties["traceId"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "The request's trace identifier; quote it when reporting a problem.",
        };
        schema.Properties["errors"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = $"Only in {ProblemTypes.Validation} problems: each invalid field's messages, by field name.",
            AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
        };
        // RFC 9457: clients ignore members they do not know, and a problem may gain some.
        schema.AdditionalProperties = null;
        schema.AdditionalPropertiesAllowed = true;
        schema.Examples =
        [
            new JsonObject
            {
                ["type"] = ProblemTypes.Validation,
                ["title"] = "Validation failed",
                ["status"] = StatusCodes.Status422UnprocessableEntity,
                ["detail"] = "One or more fields are invalid; see 'errors'.",
                ["traceId"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                ["errors"] = new JsonObject { ["name"] = new JsonArray("is required") },
            },
        ];
        return Task.CompletedTask;
    }
}
