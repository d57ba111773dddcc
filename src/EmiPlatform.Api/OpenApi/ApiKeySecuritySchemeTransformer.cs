using EmiPlatform.Api.Auth;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace EmiPlatform.Api.OpenApi;

/// <summary>Declares the API-key bearer scheme and requires it on every operation except the health probes, which declare anonymous access.</summary>
internal sealed class ApiKeySecuritySchemeTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKeyAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "emi_<public id>_<secret>",
            Description = "An API key. The platform admin's key comes from configuration (Auth:BootstrapAdminKey); tenant keys from the API.",
        };
        var requirement = new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, document)] = [],
        };
        foreach (var (path, item) in document.Paths)
        {
            foreach (var operation in item.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>())
            {
                // The probes say they are anonymous (`security: []`) rather than saying nothing, which linters
                // (Redocly's security-defined) read as forgotten.
                operation.Security = path is "/healthz" or "/readyz" ? [] : [.. operation.Security ?? [], requirement];
            }
        }
        return Task.CompletedTask;
    }
}
