using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace EmiPlatform.Api.OpenApi;

/// <summary>The document's title, description and contact, and its server URLs as RFC 3986 bases (no trailing slash).</summary>
internal sealed class DocumentInfoTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "EMI Platform API";
        document.Info.Description =
            "Scores Emotional Mimicry Intensity in study recordings. Authenticate with 'Authorization: Bearer emi_<public id>_<secret>'. " +
            "Errors are RFC 9457 problem details with a stable 'type' (docs/api.md).";
        document.Info.Contact ??= new OpenApiContact { Name = "EMI Platform operators" };
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/');
        }
        return Task.CompletedTask;
    }
}
