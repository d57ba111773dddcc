namespace EmiPlatform.Api.OpenApi;

public static class OpenApiExtensions
{
    /// <summary>The document served at /openapi/v1.json; tests/EmiPlatform.Api.Tests/OpenApiLintTests.cs lints it with Spectral and Redocly's recommended rules.</summary>
    public static IHostApplicationBuilder AddEmiOpenApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi("v1", o =>
        {
            o.AddDocumentTransformer<DocumentInfoTransformer>();
            o.AddDocumentTransformer<MetricsPathTransformer>();
            o.AddDocumentTransformer<ApiKeySecuritySchemeTransformer>();
            o.AddDocumentTransformer<TagDescriptionsTransformer>();
            o.AddOperationTransformer<ProblemResponsesTransformer>();
            o.AddOperationTransformer<SecondsParametersTransformer>();
            o.AddSchemaTransformer<ProblemSchemaTransformer>();
            o.AddSchemaTransformer<ExampleSchemaTransformer>();
        });
        return builder;
    }
}
