using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmiPlatform.Api.Progress;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>The live progress stream of a study (SSE from its grain) against the embedded silo and real scoring.</summary>
public sealed class StudyEventsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_client_sees_every_job_reach_its_final_state_and_a_reconnect_misses_nothing()
    {
        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        using var timeout = new CancellationTokenSource(Generous);
        await using var stream = await SseReader.OpenAsync(client, $"/v1/studies/{studyId}/events");
        var first = await stream.NextAsync(timeout.Token);
        Assert.Equal("snapshot", first.Type);
        Assert.Equal(0, first.Data.GetProperty("jobs").GetArrayLength());

        var recordings = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var response = await Uploads.PostAsync(client, studyId, participantId, await TestMedia.DistinctWavAsync(i));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            recordings.Add((await response.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!.Id);
        }

        var seen = new List<SseReader.Event>();
        var states = new Dictionary<Guid, List<string>>();
        while (true)
        {
            var e = await stream.NextAsync(timeout.Token);
            seen.Add(e);
            if (e.Type is "job" or "progress")
            {
                var job = e.Data.GetProperty("job");
                var recording = job.GetProperty("recordingId").GetGuid();
                if (!states.TryGetValue(recording, out var list))
                {
                    states[recording] = list = [];
                }
                if (e.Type == "job")
                {
                    list.Add(job.GetProperty("state").GetString()!);
                }
            }
            // A recording scored before the next was uploaded ends a run of its own: wait for the run that ends with all three.
            if (e.Type == "completed" && recordings.All(r => states.TryGetValue(r, out var l) && l[^1] == "succeeded"))
            {
                break;
            }
        }

        Assert.Equal(recordings.Order(), states.Keys.Order());
        foreach (var recording in recordings)
        {
            Assert.Equal("succeeded", states[recording][^1]);
            Assert.Contains("queued", states[recording]);
        }
        // Each run ends with one completed event; a recording scored before the next upload makes a run of its own.
        var completed = seen[^1].Data.GetProperty("progress");
        Assert.Equal(0, completed.GetProperty("queued").GetInt32() + completed.GetProperty("running").GetInt32());
        Assert.Equal(completed.GetProperty("total").GetInt32(), completed.GetProperty("succeeded").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, completed.GetProperty("completedAt").ValueKind);
        var runs = seen.Select(e => e.Data.GetProperty("progress").GetProperty("runId")).Where(r => r.ValueKind == JsonValueKind.String)
            .Select(r => r.GetGuid()).Distinct().Count();
        Assert.Equal(runs, seen.Count(e => e.Type == "completed"));
        Assert.Equal(3, seen.Where(e => e.Type == "completed").Sum(e => e.Data.GetProperty("progress").GetProperty("succeeded").GetInt32()));
        var ids = seen.Where(e => e.Id is not null).Select(e => long.Parse(e.Id!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());

        // Reconnecting after the third event: the stream resumes with exactly the events that followed it.
        var resumeFrom = seen.First(e => e.Id is not null && e.Type == "job").Id!;
        var expected = seen.SkipWhile(e => e.Id != resumeFrom).Skip(1).Where(e => e.Id is not null).Select(e => e.Id).ToList();
        await using (var resumed = await SseReader.OpenAsync(client, $"/v1/studies/{studyId}/events", resumeFrom))
        {
            var replay = new List<string?>();
            while (replay.Count < expected.Count)
            {
                var e = await resumed.NextAsync(timeout.Token);
                Assert.NotEqual("snapshot", e.Type);
                if (e.Id is not null)
                {
                    replay.Add(e.Id);
                }
            }
            Assert.Equal(expected, replay);
        }

        // An id the grain no longer holds (or never gave): a fresh snapshot with every job in its final state.
        await using var fresh = await SseReader.OpenAsync(client, $"/v1/studies/{studyId}/events", "1");
        var snapshot = await fresh.NextAsync(timeout.Token);
        Assert.Equal("snapshot", snapshot.Type);
        var lastRun = snapshot.Data.GetProperty("jobs").EnumerateArray().ToList();
        Assert.NotEmpty(lastRun);
        Assert.All(lastRun, j => Assert.Contains(j.GetProperty("recordingId").GetGuid(), recordings));
        Assert.All(lastRun, j => Assert.Equal("succeeded", j.GetProperty("state").GetString()));

        var progress = await client.GetFromJsonAsync<StudyProgressDto>($"/v1/studies/{studyId}/progress", Json.Options);
        Assert.Equal((lastRun.Count, 0, 0), (progress!.Succeeded, progress.Queued, progress.Running));
        Assert.Equal(0, progress.EtaSeconds);
    }

    [Fact]
    public async Task Another_tenants_study_is_not_found()
    {
        var (_, _, studyId, _) = await Uploads.ParticipantAsync(api);
        var (otherKey, _, _, _) = await Uploads.ParticipantAsync(api);
        var other = api.Client(otherKey);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/v1/studies/{studyId}/events")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/v1/studies/{studyId}/progress")).StatusCode);
    }
}
