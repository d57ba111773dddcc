using System.Net.Http.Headers;
using System.Text.Json;
using EmiPlatform.Cli.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Cli.Tests;

/// <summary><c>emi upload</c> against the real API host with real media made by ffmpeg.</summary>
public sealed class CliUploadTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private async Task<(EmiRunner Lab, string Key, Guid StudyId)> StudyAsync(string lab)
    {
        var created = await EmiRunner.For(api.Url, api.AdminKey).JsonAsync("admin", "tenants", "create", lab);
        var key = created.GetProperty("adminKey").GetProperty("secret").GetString()!;
        var cli = EmiRunner.For(api.Url, key);
        var study = await cli.JsonAsync("studies", "create", "Folder study");
        return (cli, key, study.GetProperty("id").GetGuid());
    }

    private async Task<JsonElement> GetAsync(string key, string path)
    {
        using var http = new HttpClient { BaseAddress = api.Url };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var doc = JsonDocument.Parse(await http.GetStringAsync(path));
        return doc.RootElement.Clone();
    }

    private static Dictionary<string, JsonElement> ByFile(JsonElement summary) =>
        summary.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("file").GetString()!);

    [Fact]
    public async Task A_folder_uploads_by_pattern_creates_participants_resumes_by_hash_and_reports_a_bad_file()
    {
        var (lab, key, studyId) = await StudyAsync("Upload lab");
        var folder = Directory.CreateTempSubdirectory("emi-upload-").FullName;
        await TestMedia.WriteAsync(Path.Combine(folder, "P01_joy_1.wav"), TestMedia.SineAsync(330, 1));
        await TestMedia.WriteAsync(Path.Combine(folder, "P01_fun_2.wav"), TestMedia.SineAsync(440, 1));
        await TestMedia.WriteAsync(Path.Combine(folder, "P02_joy_1.mp4"), TestMedia.VideoAsync(1, 550));
        var bad = Path.Combine(folder, "P03_joy_1.mp4");
        await File.WriteAllBytesAsync(bad, [.. Enumerable.Range(0, 50_000).Select(i => (byte)(i * 7))]);
        await File.WriteAllTextAsync(Path.Combine(folder, ".DS_Store"), "hidden files are left out");
        string[] upload = ["upload", folder, "--study", studyId.ToString(), "--participant-from", "{participant}_{stimulus}_{trial}.*", "--parallel", "2"];

        var first = (await lab.RunAsync([.. upload, "--json"])).AssertExit(3);
        var summary = first.Json();
        Assert.Equal(3, summary.GetProperty("uploaded").GetInt32());
        Assert.Equal(1, summary.GetProperty("failed").GetInt32());
        var files = ByFile(summary);
        Assert.Equal(4, files.Count);
        Assert.Equal("failed", files["P03_joy_1.mp4"].GetProperty("status").GetString());
        Assert.Equal("urn:emi-platform:problem:not-media", files["P03_joy_1.mp4"].GetProperty("error").GetProperty("type").GetString());
        Assert.Contains("P03_joy_1.mp4", first.Error, StringComparison.Ordinal);
        Assert.Contains("415", first.Error, StringComparison.Ordinal);
        Assert.All(new[] { "P01_joy_1.wav", "P01_fun_2.wav", "P02_joy_1.mp4" },
            f => Assert.Equal("uploaded", files[f].GetProperty("status").GetString()));

        var participants = await lab.JsonAsync("participants", "list", "--study", studyId.ToString());
        Assert.Equal(["P01", "P02", "P03"], participants.EnumerateArray().Select(p => p.GetProperty("code").GetString()).Order());
        var p01 = participants.EnumerateArray().Single(p => p.GetProperty("code").GetString() == "P01").GetProperty("id").GetGuid();
        var recordings = await GetAsync(key, $"v1/studies/{studyId}/participants/{p01}/recordings");
        Assert.Equal(2, recordings.GetArrayLength());
        var joy = recordings.EnumerateArray().Single(r => r.GetProperty("originalFileName").GetString() == "P01_joy_1.wav");
        Assert.Equal("joy", joy.GetProperty("stimulus").GetString());
        Assert.Equal("1", joy.GetProperty("trial").GetString());
        Assert.Equal(files["P01_joy_1.wav"].GetProperty("sha256").GetString(), joy.GetProperty("sha256").GetString());

        // Run again: what is there is skipped by hash, the bad file fails again.
        var second = (await lab.RunAsync([.. upload, "--json"])).AssertExit(3).Json();
        Assert.Equal(0, second.GetProperty("uploaded").GetInt32());
        Assert.Equal(3, second.GetProperty("skipped").GetInt32());
        Assert.Equal(0L, second.GetProperty("bytesSent").GetInt64());

        // Fix the folder, add a file: only the new one travels; the table says so.
        File.Delete(bad);
        await TestMedia.WriteAsync(Path.Combine(folder, "P02_fun_2.wav"), TestMedia.SineAsync(660, 1));
        var third = (await lab.RunAsync(upload)).AssertExit(0);
        Assert.Contains("1 uploaded", third.Out, StringComparison.Ordinal);
        Assert.Contains("3 skipped", third.Out, StringComparison.Ordinal);
        Assert.Contains("P02_fun_2.wav", third.Out, StringComparison.Ordinal);

        // The embedded worker scores what arrived; `jobs watch` follows it to the end and `export` writes the CSV.
        // Its last run is the one holding the last upload, so when that run completes every job of the study is done.
        var watched = (await lab.RunAsync("jobs", "watch", "--study", studyId.ToString(), "--timeout", "3m", "--json")).AssertExit(0);
        var last = JsonDocument.Parse(watched.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement.GetProperty("progress");
        Assert.Equal(0, last.GetProperty("queued").GetInt32() + last.GetProperty("running").GetInt32() + last.GetProperty("failed").GetInt32());
        Assert.True(last.GetProperty("succeeded").GetInt32() >= 1);
        var jobs = await lab.JsonAsync("jobs", "list", "--study", studyId.ToString());
        Assert.Equal(4, jobs.GetArrayLength());
        Assert.All(jobs.EnumerateArray(), j => Assert.Equal("succeeded", j.GetProperty("state").GetString()));
        var csv = Path.Combine(folder, "scores.csv");
        (await lab.RunAsync("export", "--study", studyId.ToString(), "--format", "aggregate", "-o", csv)).AssertExit(0);
        var lines = await File.ReadAllLinesAsync(csv);
        Assert.StartsWith("study,study_id,participant", lines[0], StringComparison.Ordinal);
        Assert.Equal(5, lines.Length); // header + one row per scored recording
    }

    [Fact]
    public async Task Regex_patterns_single_participants_and_unmatched_names_are_handled()
    {
        var (lab, _, studyId) = await StudyAsync("Regex lab");
        var folder = Directory.CreateTempSubdirectory("emi-regex-").FullName;
        await TestMedia.WriteAsync(Path.Combine(folder, "S7-a.wav"), TestMedia.SineAsync(300, 1));
        await TestMedia.WriteAsync(Path.Combine(folder, "sub", "S8-b.wav"), TestMedia.SineAsync(310, 1));
        await TestMedia.WriteAsync(Path.Combine(folder, "unnamed.wav"), TestMedia.SineAsync(320, 1));

        var result = (await lab.RunAsync("upload", folder, "--study", "Folder study", "--participant-from", @"^(?<participant>S\d+)-",
            "--stimulus", "joy-01", "--json")).AssertExit(3).Json();
        var files = ByFile(result);
        Assert.Equal("uploaded", files["S7-a.wav"].GetProperty("status").GetString());
        Assert.Equal("S8", files["sub/S8-b.wav"].GetProperty("participant").GetString());
        Assert.Contains("does not match", files["unnamed.wav"].GetProperty("error").GetProperty("title").GetString(), StringComparison.Ordinal);

        var single = await lab.JsonAsync("upload", Path.Combine(folder, "unnamed.wav"), "--study", studyId.ToString(), "--participant", "S9");
        Assert.Equal(1, single.GetProperty("uploaded").GetInt32());

        (await lab.RunAsync("upload", folder, "--study", studyId.ToString())).AssertExit(1); // neither --participant nor a pattern
        (await lab.RunAsync("upload", folder, "--study", studyId.ToString(), "--participant-from", "*.wav")).AssertExit(1);
        (await lab.RunAsync("upload", Path.Combine(folder, "missing.wav"), "--study", studyId.ToString(), "--participant", "S1")).AssertExit(1);
    }
    [Fact]
    public async Task Upload_with_events_imports_the_log_after_the_files_and_events_import_refuses_a_bad_log_listing_its_rows()
    {
        var (lab, key, studyId) = await StudyAsync("Events lab");
        var folder = Directory.CreateTempSubdirectory("emi-events-").FullName;
        await TestMedia.WriteAsync(Path.Combine(folder, "P01_session.wav"), TestMedia.SineAsync(260, 3));
        var log = Path.Combine(folder, "..", $"log-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(log, "recording,onset_s,offset_s,kind,stimulus\nP01_session.wav,0,1,baseline,\nP01_session.wav,1,2.5,stimulus,joy-01\n");

        var run = (await lab.RunAsync("upload", folder, "--study", studyId.ToString(), "--participant-from", "{participant}_*", "--events", log)).AssertExit(0);
        Assert.Contains("imported 2 events on 1 recordings", run.Out, StringComparison.Ordinal);
        var participant = (await lab.JsonAsync("participants", "list", "--study", studyId.ToString()))[0].GetProperty("id").GetGuid();
        var recording = (await GetAsync(key, $"v1/studies/{studyId}/participants/{participant}/recordings"))[0].GetProperty("id").GetGuid();
        var events = await lab.JsonAsync("events", "list", recording.ToString());
        Assert.Equal(["baseline", "stimulus"], events.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("kind").GetString()));

        await File.WriteAllTextAsync(log, "recording,onset_s,offset_s\nP01_session.wav,0,2\nP01_session.wav,1,2\nnope.wav,0,1\n");
        var refused = (await lab.RunAsync("events", "import", log, "--study", studyId.ToString())).AssertExit(2);
        Assert.Contains("row 3 (P01_session.wav): overlaps row 2", refused.Error, StringComparison.Ordinal);
        Assert.Contains("row 4 (nope.wav): no recording", refused.Error, StringComparison.Ordinal);
        Assert.Equal(2, (await lab.JsonAsync("events", "list", recording.ToString())).GetProperty("events").GetArrayLength()); // nothing changed

        // The per-event layout is one of emi export's formats (its rows wait for the scores; its header does not).
        var export = Path.Combine(Path.GetTempPath(), $"emi-events-{Guid.NewGuid():N}.csv");
        (await lab.RunAsync("export", "--study", studyId.ToString(), "--format", "events", "-o", export)).AssertExit(0);
        var header = File.ReadLines(export).First().Split(',');
        File.Delete(export);
        Assert.Contains("event_kind", header);
        Assert.Contains("joy_mean_bc", header);
    }
}
