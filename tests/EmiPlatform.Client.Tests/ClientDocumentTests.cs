using System.Text.Json.Nodes;
using EmiPlatform.Testing;

namespace EmiPlatform.Client.Tests;

/// <summary>The client was generated from the document the build obtained; it must be the one the running host serves.</summary>
public sealed class ClientDocumentTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task The_document_the_client_was_generated_from_is_the_one_the_host_serves()
    {
        await using var embedded = typeof(ClientDocumentTests).Assembly.GetManifestResourceStream("EmiPlatform.Api.json")!;
        var generatedFrom = (await JsonNode.ParseAsync(embedded))!.AsObject();
        var served = JsonNode.Parse(await api.Client(null).GetStringAsync("/openapi/v1.json"))!.AsObject();

        Assert.NotEmpty(generatedFrom["paths"]!.AsObject());
        Assert.True(JsonNode.DeepEquals(generatedFrom, served),
            "the served OpenAPI document differs from the one the client was generated from; rebuild tests/EmiPlatform.Client.Tests");
    }
}
