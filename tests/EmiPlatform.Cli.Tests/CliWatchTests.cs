using System.Globalization;
using System.Text.Json;
using EmiPlatform.Cli.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Cli.Tests;

/// <summary><c>emi jobs watch</c> following a study's event stream on the real API host while its embedded worker scores.</summary>
public sealed class CliWatchTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Watch_follows_a_run_live_through_a_dropped_connection_and_exits_3_when_a_job_is_cancelled()
    {
        var created = await EmiRunner.For(api.Url, api.AdminKey).JsonAsync("admin", "tenants", "create", "Watch lab");
        var key = created.GetProperty("adminKey").GetProperty("secret").GetString()!;
        var lab = EmiRunner.For(api.Url, key);
        var studyId = (await lab.JsonAsync("studies", "create", "Live study")).GetProperty("id").GetGuid().ToString();
        var folder = Directory.CreateTempSubdirectory("emi-watch-").FullName;
        var slow = Path.Combine(folder, "P01_slow.mp4");
        var tone = Path.Combine(folder, "P01_tone.wav");
        await TestMedia.WriteAsync(slow, TestMedia.SlowToScoreVideoAsync());
        await TestMedia.WriteAsync(tone, TestMedia.SineAsync(440, 1));

        // Three watchers before anything is uploaded: NDJSON, NDJSON through a connection cut after three events, and
        // the human log. The study has had no run yet, so each waits for one.
        string[] watch = ["jobs", "watch", "--study", studyId, "--timeout", "4m"];
        var json = lab.Start([.. watch, "--json"]);
        var cutter = new EventStreamCutter(events: 3);
        var cut = EmiRunner.For(api.Url, key);
        cut.Handler = cutter;
        var dropped = cut.Start([.. watch, "--json"]);
        var human = lab.Start(watch);
        await json.WaitForLineAsync(json.Out, l => l.Contains("\"type\":\"snapshot\"", StringComparison.Ordinal), Generous);
        await dropped.WaitForLineAsync(dropped.Out, l => l.Contains("\"type\":\"snapshot\"", StringComparison.Ordinal), Generous);
        await human.WaitForLineAsync(human.Error, l => l.Contains("0 job(s)", StringComparison.Ordinal), Generous);

        var slowUpload = await lab.JsonAsync("upload", slow, "--study", studyId, "--participant", "P01");
        var slowRecording = slowUpload.GetProperty("files")[0].GetProperty("recordingId").GetGuid();
        var toneUpload = await lab.JsonAsync("upload", tone, "--study", studyId, "--participant", "P01");
        var toneRecording = toneUpload.GetProperty("files")[0].GetProperty("recordingId").GetGuid();

        // The hour of video is still being scored (or waits for a slot): cancel it; the tone is scored; the run ends.
        var jobs = await lab.JsonAsync("jobs", "list", "--study", studyId);
        var slowJob = jobs.EnumerateArray().Single(j => j.GetProperty("recordingId").GetGuid() == slowRecording).GetProperty("id").GetString()!;
        await lab.JsonAsync("jobs", "cancel", slowJob);

        var results = await Task.WhenAll(json.Completion, dropped.Completion, human.Completion).WaitAsync(Generous);
        foreach (var result in results)
        {
            result.AssertExit(3);
        }

        var events = Events(results[0]);
        Assert.Equal("snapshot", events[0].GetProperty("type").GetString());
        Assert.Equal(0, events[0].GetProperty("jobs").GetArrayLength());
        var last = events[^1];
        Assert.Equal("completed", last.GetProperty("type").GetString());
        var counters = last.GetProperty("progress");
        Assert.Equal(1, counters.GetProperty("succeeded").GetInt32());
        Assert.Equal(1, counters.GetProperty("cancelled").GetInt32());
        Assert.Equal(0, counters.GetProperty("queued").GetInt32() + counters.GetProperty("running").GetInt32() + counters.GetProperty("failed").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, counters.GetProperty("completedAt").ValueKind);
        var states = events.Where(e => e.GetProperty("type").GetString() == "job")
            .Select(e => e.GetProperty("job"))
            .GroupBy(j => j.GetProperty("recordingId").GetGuid())
            .ToDictionary(g => g.Key, g => g.Select(j => j.GetProperty("state").GetString()).ToList());
        Assert.Equal(new[] { slowRecording, toneRecording }.Order(), states.Keys.Order());
        Assert.Equal("cancelled", states[slowRecording][^1]);
        Assert.Equal("succeeded", states[toneRecording][^1]);
        Assert.Contains("queued", states[toneRecording]); // seen live, not only in a snapshot

        // The cut watcher said so, resumed from the last id it had, and ends up with exactly the same events.
        var resumed = results[1];
        Assert.Contains("connection lost", resumed.Error, StringComparison.Ordinal);
        Assert.Contains("reconnecting in 1 s, resuming after event", resumed.Error, StringComparison.Ordinal);
        var droppedEvents = Events(resumed);
        Assert.Equal(2, cutter.LastEventIds.Count);
        Assert.Null(cutter.LastEventIds[0]);
        Assert.Equal(Ids(droppedEvents.Take(3).ToList())[^1], cutter.LastEventIds[1]);
        Assert.Equal(Ids(events), Ids(droppedEvents));
        var ids = Ids(events).Select(id => long.Parse(id, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());

        // People read the run's story on stderr and the outcome on stdout, with the job that did not succeed.
        var log = results[2];
        Assert.Contains("-> running", log.Error, StringComparison.Ordinal);
        Assert.Contains("-> succeeded", log.Error, StringComparison.Ordinal);
        Assert.Contains("-> cancelled", log.Error, StringComparison.Ordinal);
        Assert.Contains("1 succeeded, 0 failed, 1 cancelled of 2 job(s)", log.Out, StringComparison.Ordinal);
        Assert.Contains(slowJob, log.Out, StringComparison.Ordinal);
        // Jobs are named as the lab knows them: participant code and file name, in the log and in the last word.
        Assert.Contains("emi: P01/P01_tone.wav (job ", log.Error, StringComparison.Ordinal);
        Assert.Contains("P01_slow.mp4", log.Out, StringComparison.Ordinal);
        Assert.StartsWith("emi: error: 1 of 2 recording(s) not scored: P01/P01_slow.mp4 cancelled",
            log.Error.TrimEnd().Split('\n')[^1], StringComparison.Ordinal);

        // The run is over: a new watch ends at once with the same outcome, from the snapshot alone.
        var again = (await lab.RunAsync([.. watch, "--json"])).AssertExit(3);
        var snapshot = Assert.Single(Events(again));
        Assert.Equal("snapshot", snapshot.GetProperty("type").GetString());
        Assert.Equal(2, snapshot.GetProperty("jobs").GetArrayLength());

        // On a terminal the same run is a live view on stderr (counters, bar, job table); stdout keeps the outcome.
        lab.Interactive = true;
        var view = (await lab.RunAsync(watch)).AssertExit(3);
        Assert.Contains("1 succeeded", view.Error, StringComparison.Ordinal);
        Assert.Contains("recording-s (0 %) · done", view.Error, StringComparison.Ordinal);
        Assert.Contains("…" + slowJob[^8..], view.Error, StringComparison.Ordinal);
        Assert.Contains("P01_slow.mp4", view.Error, StringComparison.Ordinal);
        Assert.Contains("1 succeeded, 0 failed, 1 cancelled of 2 job(s)", view.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_with_wait_ends_naming_the_file_that_failed_to_score_and_jobs_list_names_jobs_by_file()
    {
        var created = await EmiRunner.For(api.Url, api.AdminKey).JsonAsync("admin", "tenants", "create", "Wait lab");
        var lab = EmiRunner.For(api.Url, created.GetProperty("adminKey").GetProperty("secret").GetString()!);
        var studyId = (await lab.JsonAsync("studies", "create", "Wait study")).GetProperty("id").GetGuid().ToString();
        var folder = Directory.CreateTempSubdirectory("emi-wait-").FullName;
        await TestMedia.WriteAsync(Path.Combine(folder, "P02_away.mp4"), TestMedia.FacelessSilentVideoAsync());
        await TestMedia.WriteAsync(Path.Combine(folder, "P02_tone.wav"), TestMedia.SineAsync(440, 1));

        // Without --wait, uploaded is said to mean stored, not scored.
        var plain = (await lab.RunAsync("upload", Path.Combine(folder, "P02_tone.wav"), "--study", studyId, "--participant", "P02")).AssertExit(0);
        Assert.Contains("uploaded means stored, not scored", plain.Error, StringComparison.Ordinal);
        var upload = (await lab.RunAsync("upload", Path.Combine(folder, "P02_away.mp4"), "--study", studyId, "--participant", "P02", "--wait")).AssertExit(3);

        Assert.Contains("1 uploaded", upload.Out, StringComparison.Ordinal);
        Assert.Matches(@"Run [^:]+: [01] succeeded, 1 failed, 0 cancelled of [12] job\(s\)", upload.Out);
        // The last word names the recording that did not score by participant and file, with the job's error in the
        // lab's words: its own file name, not the worker's temporary copy.
        var last = upload.Error.TrimEnd().Split('\n')[^1];
        Assert.Matches(@"^emi: error: 1 of [12] recording\(s\) not scored: P02/P02_away\.mp4 failed \(no-face-seen: ", last);
        Assert.Contains("'P02_away.mp4'", last, StringComparison.Ordinal);
        Assert.DoesNotContain("emi-job-", upload.Error + upload.Out, StringComparison.Ordinal);

        var list = (await lab.RunAsync("jobs", "list", "--study", studyId)).AssertExit(0);
        Assert.Contains("participant", list.Out, StringComparison.Ordinal);
        foreach (var file in new[] { "P02_away.mp4", "P02_tone.wav" })
        {
            var row = list.Out.Split('\n').Single(l => l.Contains(file, StringComparison.Ordinal));
            Assert.Contains("P02", row.Replace(file, "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
        var json = await lab.JsonAsync("jobs", "list", "--study", studyId);
        Assert.Equal(["P02_away.mp4", "P02_tone.wav"], json.EnumerateArray().Select(j => j.GetProperty("fileName").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(json.EnumerateArray(), j => Assert.Equal("P02", j.GetProperty("participantCode").GetString()));
    }

    [Fact]
    public async Task Watch_of_an_unknown_study_is_an_api_error()
    {
        var created = await EmiRunner.For(api.Url, api.AdminKey).JsonAsync("admin", "tenants", "create", "Lost lab");
        var lab = EmiRunner.For(api.Url, created.GetProperty("adminKey").GetProperty("secret").GetString()!);
        var missing = (await lab.RunAsync("jobs", "watch", "--study", Guid.NewGuid().ToString())).AssertExit(2);
        Assert.Contains("404", missing.Error, StringComparison.Ordinal);
        (await lab.RunAsync("jobs", "watch", "--study", Guid.NewGuid().ToString(), "--timeout", "soon")).AssertExit(1);
    }

    private static List<JsonElement> Events(CliResult result) =>
        [.. result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.Clone();
        })];

    private static List<string> Ids(List<JsonElement> events) =>
        [.. events.Select(e => e.GetProperty("id")).Where(id => id.ValueKind == JsonValueKind.String).Select(id => id.GetString()!)];
}
