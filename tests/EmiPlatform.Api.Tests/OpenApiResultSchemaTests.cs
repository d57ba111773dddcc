using System.Text.Json;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// The streamed JSON results have hand-written schemas in the document (no DTO holds them): real answers must match
/// them, member by member, so the document cannot drift from what <c>TimelineJson</c> writes.
/// </summary>
public sealed class OpenApiResultSchemaTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly TimelineSeeder seed = new(api);

    [Fact]
    public async Task Timelines_and_scores_answer_exactly_the_shapes_their_schemas_declare()
    {
        var (tenant, key) = await api.CreateTenantAsync();
        var study = await api.CreateStudyAsync(key);
        var participant = await seed.ParticipantAsync(tenant.Id, study.Id, "P01");
        var bundle = await seed.BundleAsync("model-" + Guid.NewGuid().ToString("N")[..8], "1.0.0", DateTimeOffset.UtcNow);
        var scored = await seed.RecordingAsync(tenant.Id, study.Id, participant, "a.mp4");
        await seed.TimelineAsync(tenant.Id, scored, bundle, 3, seed: 1, withAudio: false);
        await seed.RecordingAsync(tenant.Id, study.Id, participant, "b.mp4"); // unscored: model and aggregate null

        var document = JsonDocument.Parse(await api.Client(null).GetStringAsync("/openapi/v1.json")).RootElement;
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var client = api.Client(key);
        foreach (var (url, schema) in new[]
                 {
                     ($"/v1/recordings/{scored}/timeline", "RecordingTimeline"),
                     ($"/v1/recordings/{scored}/timeline?emotions=joy&from_s=0.5", "RecordingTimeline"),
                     ($"/v1/studies/{study.Id}/participants/{participant}/timelines", "ParticipantTimelines"),
                     ($"/v1/studies/{study.Id}/scores", "StudyScores"),
                 })
        {
            var answer = JsonDocument.Parse(await client.GetStringAsync(url)).RootElement;
            var mismatches = SchemaConformance.Mismatches(schemas, schemas.GetProperty(schema), answer);
            Assert.True(mismatches.Count == 0, $"{url} does not match {schema}:\n" + string.Join('\n', mismatches));
        }
    }
}
