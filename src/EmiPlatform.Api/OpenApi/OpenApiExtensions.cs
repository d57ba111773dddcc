namespace EmiPlatform.Api.OpenApi;

public static class OpenApiExtensions
{
    public static IHostApplicationBuilder AddEmiOpenApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi("v1", o => o.AddDocumentTransformer<ApiKeySecuritySchemeTransformer>());
        return builder;
    }
}
