using System.Net;
using System.Text.Json;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

public sealed class OpenApiAndHealthTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task The_openapi_document_describes_every_endpoint_with_the_security_scheme()
    {
        var client = api.Client(null);
        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey").GetProperty("scheme").GetString());

        var paths = document.GetProperty("paths");
        string[] expected =
        [
            "/v1/admin/tenants", "/v1/admin/tenants/{id}", "/v1/admin/tenants/{id}/suspend", "/v1/admin/tenants/{id}/resume",
            "/v1/admin/tenants/{id}/keys", "/v1/admin/tenants/{id}/keys/{keyId}/revoke", "/v1/keys", "/v1/keys/{keyId}/revoke",
            "/v1/studies", "/v1/studies/{studyId}", "/v1/studies/{studyId}/participants", "/v1/studies/{studyId}/participants/{participantId}",
            "/v1/me", "/healthz", "/readyz",
        ];
        Assert.All(expected, p => Assert.True(paths.TryGetProperty(p, out _), $"{p} missing from the OpenAPI document"));
        var createStudy = paths.GetProperty("/v1/studies").GetProperty("post");
        Assert.Equal("ApiKey", createStudy.GetProperty("security")[0].EnumerateObject().Single().Name);
    }

    [Fact]
    public async Task Health_and_readiness_answer_without_a_key()
    {
        var client = api.Client(null);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        var ready = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("ready", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
