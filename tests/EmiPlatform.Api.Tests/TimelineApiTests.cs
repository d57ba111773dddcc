using System.Net;
using System.Text.Json;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>The JSON results endpoints over timelines seeded the way the scoring pipeline writes them.</summary>
public sealed class TimelineApiTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly string[] Scores =
        ["admiration", "amusement", "determination", "empathic_pain", "excitement", "joy", "valence", "arousal", "dominance"];

    private readonly TimelineSeeder seed = new(api);

    /// <summary>A tenant with a study, a participant, one recording scored by an older and a newer bundle, one unscored.</summary>
    private async Task<Scene> SceneAsync()
    {
        var (tenant, key) = await api.CreateTenantAsync();
        var study = await api.CreateStudyAsync(key);
        var participant = await seed.ParticipantAsync(tenant.Id, study.Id, "P01");
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var older = await seed.BundleAsync("model-" + suffix, "1.0.0", DateTimeOffset.UtcNow.AddDays(-2));
        var newer = await seed.BundleAsync("model-" + suffix, "2.0.0", DateTimeOffset.UtcNow.AddDays(-1));
        var unused = await seed.BundleAsync("model-" + suffix, "3.0.0", DateTimeOffset.UtcNow);
        var scored = await seed.RecordingAsync(tenant.Id, study.Id, participant, "a.mp4");
        await seed.TimelineAsync(tenant.Id, scored, older, 30, seed: 1);
        await seed.TimelineAsync(tenant.Id, scored, newer, 40, seed: 2);
        var unscored = await seed.RecordingAsync(tenant.Id, study.Id, participant, "b.mp4");
        return new Scene(tenant.Id, key, study.Id, participant, scored, unscored, "model-" + suffix, older, newer, unused);
    }

    private sealed record Scene(Guid TenantId, string Key, Guid StudyId, Guid ParticipantId, Guid Scored, Guid Unscored, string ModelName,
        Guid Older, Guid Newer, Guid Unused);

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    [Fact]
    public async Task A_recordings_timeline_defaults_to_the_newest_bundle_that_scored_it_and_is_streamed_in_window_order()
    {
        var s = await SceneAsync();
        var response = await api.Client(s.Key).GetAsync($"/v1/recordings/{s.Scored}/timeline", HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.Headers.TransferEncodingChunked, "written as it is read, not buffered then sent");
        var json = await JsonAsync(response);

        Assert.Equal(s.Scored, json.GetProperty("recordingId").GetGuid());
        Assert.Equal("P01", json.GetProperty("participantCode").GetString());
        Assert.Equal("2.0.0", json.GetProperty("model").GetProperty("version").GetString());
        Assert.False(json.GetProperty("model").GetProperty("trained").GetBoolean());
        var windows = json.GetProperty("windows").EnumerateArray().ToList();
        Assert.Equal(40, windows.Count);
        for (var i = 0; i < windows.Count; i++)
        {
            Assert.Equal(i, windows[i].GetProperty("index").GetInt32());
            Assert.Equal(i * TimelineSeeder.WindowSeconds, windows[i].GetProperty("start_s").GetDouble());
            for (var c = 0; c < Scores.Length; c++)
            {
                Assert.Equal(TimelineSeeder.Value(2, i, c), windows[i].GetProperty(Scores[c]).GetSingle());
            }
            Assert.True(windows[i].GetProperty("has_audio").GetBoolean());
        }
    }

    [Fact]
    public async Task Model_emotion_and_time_filters_select_what_is_returned()
    {
        var s = await SceneAsync();
        var client = api.Client(await api.CreateKeyAsync(s.TenantId, "analyst"));
        var json = await JsonAsync(await client.GetAsync(
            $"/v1/recordings/{s.Scored}/timeline?model={s.ModelName}@1.0.0&emotions=joy,valence&from_s=2&to_s=4"));

        Assert.Equal("1.0.0", json.GetProperty("model").GetProperty("version").GetString());
        Assert.Equal(["joy", "valence"], json.GetProperty("scores").EnumerateArray().Select(e => e.GetString()!).ToArray());
        var windows = json.GetProperty("windows").EnumerateArray().ToList();
        // Windows overlapping [2, 4): starts 2.0 … 3.5.
        Assert.Equal([4, 5, 6, 7], windows.Select(w => w.GetProperty("index").GetInt32()).ToArray());
        foreach (var w in windows)
        {
            var i = w.GetProperty("index").GetInt32();
            Assert.Equal(TimelineSeeder.Value(1, i, 5), w.GetProperty("joy").GetSingle());
            Assert.Equal(TimelineSeeder.Value(1, i, 6), w.GetProperty("valence").GetSingle());
            Assert.False(w.TryGetProperty("admiration", out _));
        }
    }

    [Fact]
    public async Task Emotions_may_be_selected_in_camel_or_pascal_case_and_come_back_under_their_json_names()
    {
        var s = await SceneAsync();
        var json = await JsonAsync(await api.Client(s.Key).GetAsync(
            $"/v1/recordings/{s.Scored}/timeline?model={s.ModelName}@1.0.0&emotions=empathicPain,Joy,EMPATHIC_PAIN"));

        Assert.Equal(["empathic_pain", "joy"], json.GetProperty("scores").EnumerateArray().Select(e => e.GetString()!).ToArray());
        var window = json.GetProperty("windows").EnumerateArray().First();
        Assert.Equal(TimelineSeeder.Value(1, 0, 3), window.GetProperty("empathic_pain").GetSingle());
        Assert.False(window.TryGetProperty("empathicPain", out _));
        Assert.False(window.TryGetProperty("admiration", out _));
    }

    [Fact]
    public async Task Bad_filters_are_422_naming_the_field_and_unknown_models_404()
    {
        var s = await SceneAsync();
        var client = api.Client(s.Key);
        var url = $"/v1/recordings/{s.Scored}/timeline";

        var problem = await ProblemAssert.IsProblem(await client.GetAsync(url + "?emotions=joy,rage"), HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("emotions", out _));
        problem = await ProblemAssert.IsProblem(await client.GetAsync(url + "?from_s=5&to_s=1"), HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("to_s", out _));
        problem = await ProblemAssert.IsProblem(await client.GetAsync(url + "?from_s=abc"), HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("from_s", out _));
        problem = await ProblemAssert.IsProblem(await client.GetAsync(url + "?model=no-version"), HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("model", out _));

        await ProblemAssert.IsProblem(await client.GetAsync(url + "?model=nobody@9"), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblem(await client.GetAsync(url + $"?model={s.ModelName}@3.0.0"), HttpStatusCode.NotFound, "not-scored");
        await ProblemAssert.IsProblem(await client.GetAsync($"/v1/recordings/{s.Unscored}/timeline"), HttpStatusCode.NotFound, "not-scored");
        await ProblemAssert.IsProblem(await client.GetAsync($"/v1/recordings/{Guid.NewGuid()}/timeline"), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Another_tenants_results_are_404_everywhere()
    {
        var s = await SceneAsync();
        var (_, otherKey) = await api.CreateTenantAsync("Other lab");
        var other = api.Client(otherKey);

        await ProblemAssert.IsProblem(await other.GetAsync($"/v1/recordings/{s.Scored}/timeline"), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblem(await other.GetAsync($"/v1/studies/{s.StudyId}/participants/{s.ParticipantId}/timelines"),
            HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblem(await other.GetAsync($"/v1/studies/{s.StudyId}/scores"), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblem(await other.GetAsync($"/v1/studies/{s.StudyId}/export"), HttpStatusCode.NotFound, "not-found");
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client(null).GetAsync($"/v1/recordings/{s.Scored}/timeline")).StatusCode);
    }

    [Fact]
    public async Task A_participants_timelines_list_every_recording_with_unscored_ones_empty()
    {
        var s = await SceneAsync();
        var json = await JsonAsync(await api.Client(s.Key).GetAsync(
            $"/v1/studies/{s.StudyId}/participants/{s.ParticipantId}/timelines?emotions=amusement"));

        var recordings = json.GetProperty("recordings").EnumerateArray().ToList();
        Assert.Equal([s.Scored, s.Unscored], recordings.Select(r => r.GetProperty("recordingId").GetGuid()).ToArray());
        Assert.Equal("2.0.0", recordings[0].GetProperty("model").GetProperty("version").GetString());
        var windows = recordings[0].GetProperty("windows").EnumerateArray().ToList();
        Assert.Equal(40, windows.Count);
        Assert.Equal(TimelineSeeder.Value(2, 39, 1), windows[39].GetProperty("amusement").GetSingle());
        Assert.Equal(JsonValueKind.Null, recordings[1].GetProperty("model").ValueKind);
        Assert.Empty(recordings[1].GetProperty("windows").EnumerateArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    public async Task A_participants_timelines_hold_each_scored_recordings_windows_whatever_their_number(int scoredCount)
    {
        var (tenant, key) = await api.CreateTenantAsync();
        var study = await api.CreateStudyAsync(key);
        var participant = await seed.ParticipantAsync(tenant.Id, study.Id, "P01");
        var bundle = await seed.BundleAsync("model-" + Guid.NewGuid().ToString("N")[..8], "1.0.0", DateTimeOffset.UtcNow);
        // Scored recordings with an unscored one after the first, so the windows of a scored recording follow an empty
        // one; the last one is long enough (about 130 KiB of JSON) that the response is flushed in the middle of it.
        var expected = new List<(Guid Id, int Windows, int Seed)>();
        for (var i = 0; i < scoredCount; i++)
        {
            var recording = await seed.RecordingAsync(tenant.Id, study.Id, participant, $"r{i}.mp4");
            var windows = i == scoredCount - 1 && scoredCount > 2 ? 500 : 3 + i;
            await seed.TimelineAsync(tenant.Id, recording, bundle, windows, seed: 10 + i);
            expected.Add((recording, windows, 10 + i));
            if (i == 0)
            {
                expected.Add((await seed.RecordingAsync(tenant.Id, study.Id, participant, "unscored.mp4"), 0, -1));
            }
        }

        var response = await api.Client(key).GetAsync($"/v1/studies/{study.Id}/participants/{participant}/timelines");
        var json = await JsonAsync(response);

        var recordings = json.GetProperty("recordings").EnumerateArray().ToList();
        Assert.Equal(expected.Select(e => e.Id), recordings.Select(r => r.GetProperty("recordingId").GetGuid()));
        foreach (var (recording, (_, count, valueSeed)) in recordings.Zip(expected))
        {
            var windows = recording.GetProperty("windows").EnumerateArray().ToList();
            Assert.Equal(count, windows.Count);
            Assert.Equal(count == 0 ? JsonValueKind.Null : JsonValueKind.Object, recording.GetProperty("model").ValueKind);
            for (var w = 0; w < windows.Count; w++)
            {
                Assert.Equal(w, windows[w].GetProperty("index").GetInt32());
                for (var c = 0; c < Scores.Length; c++)
                {
                    Assert.Equal(TimelineSeeder.Value(valueSeed, w, c), windows[w].GetProperty(Scores[c]).GetSingle());
                }
            }
        }
    }

    [Fact]
    public async Task A_studys_scores_are_the_per_recording_aggregates_of_the_chosen_bundle()
    {
        var s = await SceneAsync();
        var json = await JsonAsync(await api.Client(s.Key).GetAsync($"/v1/studies/{s.StudyId}/scores"));
        var recordings = json.GetProperty("recordings").EnumerateArray().ToList();
        Assert.Equal(2, recordings.Count);
        var aggregate = recordings[0].GetProperty("aggregate");
        Assert.Equal(40, aggregate.GetProperty("window_count").GetInt32());
        Assert.Equal(40 * TimelineSeeder.WindowSeconds, aggregate.GetProperty("duration_s").GetDouble());
        for (var c = 0; c < Scores.Length; c++)
        {
            var mean = Enumerable.Range(0, 40).Average(i => (double)TimelineSeeder.Value(2, i, c));
            Assert.Equal(mean, aggregate.GetProperty(Scores[c]).GetDouble(), 1e-5);
        }
        Assert.Equal(JsonValueKind.Null, recordings[1].GetProperty("aggregate").ValueKind);

        var older = await JsonAsync(await api.Client(s.Key).GetAsync($"/v1/studies/{s.StudyId}/scores?model={s.ModelName}@1.0.0&emotions=joy"));
        var first = older.GetProperty("recordings")[0];
        Assert.Equal("1.0.0", first.GetProperty("model").GetProperty("version").GetString());
        Assert.Equal(30, first.GetProperty("aggregate").GetProperty("window_count").GetInt32());
        Assert.False(first.GetProperty("aggregate").TryGetProperty("admiration", out _));
    }
}
