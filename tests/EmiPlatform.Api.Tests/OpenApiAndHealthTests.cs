using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
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
            "/v1/admin/tenants/{id}/keys", "/v1/admin/tenants/{id}/keys/{keyId}", "/v1/admin/tenants/{id}/keys/{keyId}/revoke",
            "/v1/keys", "/v1/keys/{keyId}", "/v1/keys/{keyId}/revoke", "/v1/admin/bundles", "/v1/admin/bundles/{id}",
            "/v1/studies", "/v1/studies/{studyId}", "/v1/studies/{studyId}/participants", "/v1/studies/{studyId}/participants/{participantId}",
            "/v1/me", "/healthz", "/readyz",
        ];
        Assert.All(expected, p => Assert.True(paths.TryGetProperty(p, out _), $"{p} missing from the OpenAPI document"));
        var createStudy = paths.GetProperty("/v1/studies").GetProperty("post");
        Assert.Equal("ApiKey", createStudy.GetProperty("security")[0].EnumerateObject().Single().Name);
        Assert.All(new[] { "/healthz", "/readyz" }, p => Assert.Equal(0, paths.GetProperty(p).GetProperty("get").GetProperty("security").GetArrayLength()));
    }

    [Fact]
    public async Task Every_operation_has_a_unique_camel_case_operation_id_a_summary_and_its_problems()
    {
        var document = JsonDocument.Parse(await api.Client(null).GetStringAsync("/openapi/v1.json")).RootElement;
        var operations = Operations(document).ToList();
        Assert.True(operations.Count >= 50, $"only {operations.Count} operations in the document");

        var ids = operations.Select(o => o.Operation.TryGetProperty("operationId", out var id) ? id.GetString() : null).ToList();
        Assert.All(operations.Zip(ids), x => Assert.True(x.Second is { } id && Regex.IsMatch(id, "^[a-z][a-zA-Z0-9]*$"),
            $"{x.First.Method} {x.First.Path}: operationId '{x.Second}' is missing or not camelCase"));
        Assert.Empty(ids.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => g.Key));

        foreach (var (path, method, operation) in operations)
        {
            var where = $"{method} {path}";
            Assert.False(string.IsNullOrWhiteSpace(operation.TryGetProperty("summary", out var summary) ? summary.GetString() : null), $"{where}: no summary");
            var responses = operation.GetProperty("responses").EnumerateObject().ToDictionary(r => r.Name, r => r.Value);
            Assert.True(responses.Keys.Any(k => k.StartsWith('4')), $"{where}: no 4xx response");
            foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
            {
                var schema = response.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema");
                Assert.Equal("#/components/schemas/ProblemDetails", schema.GetProperty("$ref").GetString());
            }
            // Every request passes the global rate limiter and the exception handler; every keyed one authorization.
            Assert.Contains("429", responses.Keys);
            Assert.Contains("500", responses.Keys);
            // The anonymous probes say so with `security: []`; every other operation requires the key.
            if (operation.TryGetProperty("security", out var security) && security.GetArrayLength() > 0)
            {
                Assert.Contains("401", responses.Keys);
                Assert.Contains("403", responses.Keys);
            }
        }
        var problem = document.GetProperty("components").GetProperty("schemas").GetProperty("ProblemDetails").GetProperty("properties");
        Assert.All(new[] { "type", "title", "status", "detail", "instance", "traceId", "errors" }, p => Assert.True(problem.TryGetProperty(p, out _), p));
    }

    [Fact]
    public async Task The_streamed_endpoints_are_described_as_they_answer()
    {
        var document = JsonDocument.Parse(await api.Client(null).GetStringAsync("/openapi/v1.json")).RootElement;
        var byId = Operations(document).ToDictionary(o => o.Operation.GetProperty("operationId").GetString()!, o => o.Operation);
        JsonElement Ok(string id, string status = "200") => byId[id].GetProperty("responses").GetProperty(status);

        var csv = Ok("exportStudyCsv").GetProperty("content").GetProperty("text/csv");
        Assert.StartsWith("study,study_id,", csv.GetProperty("examples").GetProperty("long").GetProperty("value").GetString(), StringComparison.Ordinal);
        Assert.True(Ok("streamStudyEvents").GetProperty("content").TryGetProperty("text/event-stream", out _));
        Assert.True(Ok("getRecordingContent", "302").GetProperty("headers").GetProperty("Location").GetProperty("required").GetBoolean());
        Assert.True(byId["uploadRecording"].GetProperty("requestBody").GetProperty("content").TryGetProperty("application/octet-stream", out _));
        Assert.True(Ok("getMetrics").GetProperty("content").TryGetProperty("text/plain", out _));
        Assert.Equal("#/components/schemas/RecordingTimeline",
            Ok("getRecordingTimeline").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        var study = document.GetProperty("components").GetProperty("schemas").GetProperty("StudyDto");
        Assert.Equal("Mimicry pilot", study.GetProperty("examples")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Every_schema_example_conforms_to_its_schema()
    {
        // Spectral validates media-type examples, but not the 'examples' of a schema (OpenAPI 3.1's JSON Schema keyword).
        var document = JsonDocument.Parse(await api.Client(null).GetStringAsync("/openapi/v1.json")).RootElement;
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var withExamples = schemas.EnumerateObject().Where(s => s.Value.TryGetProperty("examples", out _)).ToList();
        string[] mainFlow = ["TenantRequest", "TenantCreatedDto", "CreatedApiKeyDto", "StudyDto", "ParticipantRequest", "RecordingDto",
            "DirectUploadDto", "JobDto", "StudyProgressDto", "RecordingTimeline", "ProblemDetails"];
        Assert.Empty(mainFlow.Except(withExamples.Select(s => s.Name)));
        foreach (var schema in withExamples)
        {
            foreach (var example in schema.Value.GetProperty("examples").EnumerateArray())
            {
                var mismatches = SchemaConformance.Mismatches(schemas, schema.Value, example);
                Assert.True(mismatches.Count == 0, $"the example of {schema.Name} does not match it:\n" + string.Join('\n', mismatches));
            }
        }
    }

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => (p.Name, m.Name, m.Value)));

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
