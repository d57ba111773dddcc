using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>CSV export: RFC 4180 with hostile names, stable columns, nulls, problems, and pandas / R reading it as-is.</summary>
public sealed class ExportCsvTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly string[] LongHeader =
        ["study", "study_id", "participant", "participant_id", "recording", "recording_id", "stimulus", "trial", "model_name",
         "model_version", "model_trained", "window", "start_s", "end_s", "admiration", "amusement", "determination", "empathic_pain",
         "excitement", "joy", "valence", "arousal", "dominance", "has_audio", "has_video", "face_coverage", "speech_coverage", "face_confidence", "au01_inner_brow_raise", "au02_outer_brow_raise", "au04_brow_lower", "au43_eye_closure",
         "au12_lip_corner_pull", "au15_lip_corner_depress", "au25_lips_part", "au26_jaw_drop", "head_yaw_deg", "head_pitch_deg", "head_roll_deg",
         "expr_angry", "expr_disgust", "expr_fear", "expr_happy", "expr_sad", "expr_surprise", "expr_neutral",
         "event", "event_kind", "event_stimulus", "event_trial", "event_condition", "t_rel_s",
         "audio_backbone_sha256", "audio_features_cached", "visual_backbone_sha256", "visual_features_cached"];

    private static readonly string[] AggregateHeader =
        ["study", "study_id", "participant", "participant_id", "recording", "recording_id", "stimulus", "trial", "model_name",
         "model_version", "model_trained", "duration_s", "window_count", "admiration", "amusement", "determination", "empathic_pain",
         "excitement", "joy", "valence", "arousal", "dominance", "has_audio", "has_video", "face_coverage", "speech_coverage", "face_confidence", "au01_inner_brow_raise", "au02_outer_brow_raise", "au04_brow_lower", "au43_eye_closure",
         "au12_lip_corner_pull", "au15_lip_corner_depress", "au25_lips_part", "au26_jaw_drop", "head_yaw_deg", "head_pitch_deg", "head_roll_deg",
         "expr_angry", "expr_disgust", "expr_fear", "expr_happy", "expr_sad", "expr_surprise", "expr_neutral",
         "audio_backbone_sha256", "audio_features_cached", "visual_backbone_sha256", "visual_features_cached"];

    // Names labs really type, and ones built to break a naive writer.
    private const string StudyName = "Mimicry, \"pilot\" — Zoë's lab";
    private const string HostileCode = "P\"01\",\r\nDROP";
    private const string HostileFile = "clip, take 2\n\"final\".mp4";
    private const string HostileStimulus = "=cmd|' /C calc'!A0, joy";

    // What a spreadsheet must see by default: the formula as text (OWASP's leading apostrophe).
    private const string EscapedStimulus = "'" + HostileStimulus;

    private readonly TimelineSeeder seed = new(api);

    private async Task<(Guid TenantId, string Key, Guid StudyId, Guid Hostile, Guid Plain, string Model)> StudyAsync()
    {
        var (tenant, key) = await api.CreateTenantAsync();
        var study = await api.CreateStudyAsync(key, StudyName);
        var p1 = await seed.ParticipantAsync(tenant.Id, study.Id, HostileCode);
        var p2 = await seed.ParticipantAsync(tenant.Id, study.Id, "Q02");
        var model = "csv-" + Guid.NewGuid().ToString("N")[..8];
        var bundle = await seed.BundleAsync(model, "0.1.0", DateTimeOffset.UtcNow);
        var hostile = await seed.RecordingAsync(tenant.Id, study.Id, p1, HostileFile, HostileStimulus, trial: null);
        await seed.TimelineAsync(tenant.Id, hostile, bundle, 12, seed: 7);
        var plain = await seed.RecordingAsync(tenant.Id, study.Id, p2, "plain.wav", "joy-02", "2");
        await seed.TimelineAsync(tenant.Id, plain, bundle, 8, seed: 8, withAudio: false);
        await seed.RecordingAsync(tenant.Id, study.Id, p2, "not-scored.wav"); // no rows for it in either format
        return (tenant.Id, key, study.Id, hostile, plain, model);
    }

    private async Task<(HttpResponseMessage Response, string Body)> ExportAsync(string key, Guid studyId, string query = "")
    {
        var response = await api.Client(key).GetAsync($"/v1/studies/{studyId}/export{query}", HttpCompletionOption.ResponseHeadersRead);
        return (response, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Long_format_is_rfc4180_with_stable_columns_quoted_names_invariant_numbers_and_empty_nulls()
    {
        var s = await StudyAsync();
        var (response, body) = await ExportAsync(s.Key, s.StudyId, "?format=long");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.EndsWith(".csv", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'), StringComparison.Ordinal);
        Assert.True(response.Headers.TransferEncodingChunked, "written as it is read, not buffered then sent");

        var rows = CsvTestReader.Parse(body);
        Assert.Equal(LongHeader, rows[0]);
        Assert.Equal(1 + 12 + 8, rows.Count);
        Assert.All(rows, r => Assert.Equal(LongHeader.Length, r.Length));

        var first = rows[1];
        Assert.Equal(StudyName, first[0]);
        Assert.Equal(s.StudyId.ToString(), first[1]);
        Assert.Equal(HostileCode, first[2]);
        Assert.Equal(HostileFile, first[4]);
        Assert.Equal(s.Hostile.ToString(), first[5]);
        Assert.Equal(EscapedStimulus, first[6]);
        Assert.Equal("", first[7]); // null trial
        Assert.Equal([s.Model, "0.1.0", "FALSE"], first[8..11]);
        for (var i = 0; i < 12; i++)
        {
            var row = rows[1 + i];
            Assert.Equal(i.ToString(CultureInfo.InvariantCulture), row[11]);
            Assert.Equal(i * TimelineSeeder.WindowSeconds, double.Parse(row[12], CultureInfo.InvariantCulture));
            for (var c = 0; c < 9; c++)
            {
                Assert.Equal(TimelineSeeder.Value(7, i, c), float.Parse(row[14 + c], CultureInfo.InvariantCulture));
            }
            Assert.Equal(["TRUE", "TRUE", ""], row[23..26]); // no face stage: face_coverage is empty
            Assert.All(row[26..], value => Assert.Equal("", value)); // nor speech or face perception
        }
        var audioless = rows[^1];
        Assert.Equal("Q02", audioless[2]);
        Assert.Equal(["", "", ""], audioless[20..23]);
        Assert.Equal(["FALSE", "TRUE", ""], audioless[23..26]);
        Assert.DoesNotContain(rows, r => r[4] == "not-scored.wav");
    }

    [Fact]
    public async Task Aggregate_format_has_one_row_per_scored_recording_with_the_means()
    {
        var s = await StudyAsync();
        var (response, body) = await ExportAsync(s.Key, s.StudyId, $"?format=aggregate&model={s.Model}@0.1.0");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var rows = CsvTestReader.Parse(body);
        Assert.Equal(AggregateHeader, rows[0]);
        Assert.Equal(3, rows.Count);
        var hostile = rows[1];
        Assert.Equal(HostileFile, hostile[4]);
        Assert.Equal("6.0", hostile[11]); // 12 windows of 0.5 s; whole reals keep their ".0" so they stay real in pandas and R
        Assert.Equal("12", hostile[12]);
        for (var c = 0; c < 9; c++)
        {
            var mean = Enumerable.Range(0, 12).Average(i => (double)TimelineSeeder.Value(7, i, c));
            Assert.Equal(mean, double.Parse(hostile[13 + c], CultureInfo.InvariantCulture), 1e-5);
        }
        Assert.Equal(["", "", ""], rows[2][19..22]);
    }

    [Fact]
    public async Task Text_a_spreadsheet_would_run_is_neutralised_by_default_and_raw_on_request_while_numbers_never_change()
    {
        string[] formulas = ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"];
        var (tenant, key) = await api.CreateTenantAsync();
        var study = await api.CreateStudyAsync(key, "@Study");
        var bundle = await seed.BundleAsync("csv-" + Guid.NewGuid().ToString("N")[..8], "0.1.0", DateTimeOffset.UtcNow);
        for (var p = 0; p < formulas.Length; p++)
        {
            var participant = await seed.ParticipantAsync(tenant.Id, study.Id, formulas[p]);
            var recording = await seed.RecordingAsync(tenant.Id, study.Id, participant, "-take.wav", stimulus: "+joy", trial: "-1");
            await seed.TimelineAsync(tenant.Id, recording, bundle, 3, seed: p);
        }

        foreach (var format in new[] { "long", "aggregate" })
        {
            var (response, escapedBody) = await ExportAsync(key, study.Id, $"?format={format}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            (response, var rawBody) = await ExportAsync(key, study.Id, $"?format={format}&formulas=raw");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            (response, var explicitBody) = await ExportAsync(key, study.Id, $"?format={format}&formulas=escaped");
            Assert.Equal(escapedBody, explicitBody);

            var escaped = CsvTestReader.Parse(escapedBody);
            var raw = CsvTestReader.Parse(rawBody);
            Assert.Equal(escaped.Count, raw.Count);
            Assert.Equal(format == "long" ? 1 + formulas.Length * 3 : 1 + formulas.Length, escaped.Count);
            Assert.Equal(escaped[0], raw[0]);
            var text = new[] { "study", "participant", "recording", "stimulus", "trial" }.Select(c => Array.IndexOf(escaped[0], c)).ToArray();
            for (var r = 1; r < escaped.Count; r++)
            {
                for (var c = 0; c < escaped[r].Length; c++)
                {
                    // Text cells gain exactly one leading apostrophe; every other cell (ids, numbers, flags) is identical.
                    Assert.Equal(text.Contains(c) ? "'" + raw[r][c] : raw[r][c], escaped[r][c]);
                }
            }
            Assert.Equal(formulas.Order(StringComparer.Ordinal), raw.Skip(1).Select(row => row[2]).Distinct().Order(StringComparer.Ordinal));
            Assert.Equal(["@Study", "-take.wav", "+joy", "-1"], [raw[1][0], raw[1][4], raw[1][6], raw[1][7]]);
            // Quoted, so the apostrophe and the rest stay one field in any reader.
            Assert.Contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"", escapedBody, StringComparison.Ordinal);
            Assert.Contains("\"'\tx\"", escapedBody, StringComparison.Ordinal);
        }

        // Numbers as the seeded values, escaped or not.
        var (_, longBody) = await ExportAsync(key, study.Id, "?format=long");
        var rows = CsvTestReader.Parse(longBody);
        for (var r = 1; r < rows.Count; r++)
        {
            var p = Array.IndexOf(formulas, rows[r][2][1..]);
            var window = int.Parse(rows[r][11], CultureInfo.InvariantCulture);
            for (var c = 0; c < 9; c++)
            {
                Assert.Equal(TimelineSeeder.Value(p, window, c), float.Parse(rows[r][14 + c], CultureInfo.InvariantCulture));
            }
        }
    }

    [Fact]
    public async Task Bad_requests_are_problems_and_every_tenant_role_may_export()
    {
        var s = await StudyAsync();
        var (response, body) = await ExportAsync(s.Key, s.StudyId, "?format=xlsx");
        var problem = await ProblemAssert.IsProblem(response, HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("format", out _), body);
        (response, _) = await ExportAsync(s.Key, s.StudyId, "?formulas=off");
        problem = await ProblemAssert.IsProblem(response, HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("formulas", out _));
        (response, _) = await ExportAsync(s.Key, s.StudyId, "?model=latest");
        problem = await ProblemAssert.IsProblem(response, HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("model", out _));
        (response, _) = await ExportAsync(s.Key, s.StudyId, "?model=nobody@1.0");
        await ProblemAssert.IsProblem(response, HttpStatusCode.NotFound, "not-found");
        (response, _) = await ExportAsync(s.Key, Guid.NewGuid());
        await ProblemAssert.IsProblem(response, HttpStatusCode.NotFound, "not-found");

        foreach (var role in new[] { "analyst", "uploader", "tenant_admin" })
        {
            (response, body) = await ExportAsync(await api.CreateKeyAsync(s.TenantId, role), s.StudyId, "?format=aggregate");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{role}: {(int)response.StatusCode} {body}");
        }
    }

    [Fact]
    public async Task Pandas_reads_both_formats_as_is_with_the_right_dtypes_and_names()
    {
        var s = await StudyAsync();
        foreach (var format in new[] { "long", "aggregate" })
        {
            var path = await SaveAsync(s.Key, s.StudyId, format);
            var raw = await SaveAsync(s.Key, s.StudyId, format, "&formulas=raw");
            // The numbers must not depend on the formula rule: every non-text column of both files is compared.
            var output = await RunAsync("/usr/bin/python3", "-c", """
                import json, sys
                import pandas as pd
                df = pd.read_csv(sys.argv[1])
                raw = pd.read_csv(sys.argv[2])
                numbers = [c for c, t in df.dtypes.items() if t != object]
                print(json.dumps({"dtypes": {c: str(t) for c, t in df.dtypes.items()}, "rows": len(df),
                                  "participants": df["participant"].tolist(), "recordings": df["recording"].tolist(),
                                  "study": df["study"].iloc[0], "stimulus": df["stimulus"].iloc[0],
                                  "rawStimulus": raw["stimulus"].iloc[0], "numbers": numbers,
                                  "sameNumbers": bool(df[numbers].equals(raw[numbers])), "firstJoy": float(df["joy"].iloc[0])}))
                """, path, raw);
            var json = JsonDocument.Parse(output).RootElement;
            var dtypes = json.GetProperty("dtypes");
            foreach (var score in LongHeader[14..23])
            {
                Assert.Equal("float64", dtypes.GetProperty(score).GetString());
            }
            Assert.Equal("bool", dtypes.GetProperty("has_audio").GetString());
            Assert.Equal("bool", dtypes.GetProperty("model_trained").GetString());
            Assert.Equal("object", dtypes.GetProperty("participant").GetString());
            Assert.Equal("int64", dtypes.GetProperty(format == "long" ? "window" : "window_count").GetString());
            Assert.Equal("float64", dtypes.GetProperty(format == "long" ? "start_s" : "duration_s").GetString());
            Assert.Equal(format == "long" ? 20 : 2, json.GetProperty("rows").GetInt32());
            Assert.Equal(HostileCode, json.GetProperty("participants")[0].GetString());
            Assert.Equal(HostileFile, json.GetProperty("recordings")[0].GetString());
            Assert.Equal(StudyName, json.GetProperty("study").GetString());
            Assert.Equal(EscapedStimulus, json.GetProperty("stimulus").GetString());
            Assert.Equal(HostileStimulus, json.GetProperty("rawStimulus").GetString());
            Assert.Contains("joy", json.GetProperty("numbers").EnumerateArray().Select(n => n.GetString()));
            Assert.True(json.GetProperty("sameNumbers").GetBoolean(), "the formula rule changed a number");
            var joy = format == "long" ? TimelineSeeder.Value(7, 0, 5) : Enumerable.Range(0, 12).Average(i => (double)TimelineSeeder.Value(7, i, 5));
            Assert.Equal(joy, json.GetProperty("firstJoy").GetDouble(), 1e-6);
        }
    }

    [Fact]
    public async Task R_read_csv_reads_both_formats_as_is_with_the_right_classes_and_names()
    {
        var s = await StudyAsync();
        foreach (var format in new[] { "long", "aggregate" })
        {
            var path = await SaveAsync(s.Key, s.StudyId, format);
            var raw = await SaveAsync(s.Key, s.StudyId, format, "&formulas=raw");
            // One "name=class" per line, then the hostile values, so the test needs no R JSON package.
            var output = await RunAsync("Rscript", "-e", """
                args <- commandArgs(trailingOnly = TRUE)
                df <- read.csv(args[1], encoding = "UTF-8")
                raw <- read.csv(args[2], encoding = "UTF-8")
                cls <- sapply(df, class)
                numbers <- names(cls)[cls != "character"]
                writeLines(paste0(names(cls), "=", cls))
                writeLines(paste0("same=", identical(df[numbers], raw[numbers])))
                writeLines(paste0("first joy=", format(df$joy[1], digits = 9)))
                writeLines(paste0("rows=", nrow(df)))
                cat(df$participant[1], df$recording[1], df$study[1], df$stimulus[1], raw$stimulus[1], sep = "\x1e")
                """, path, raw);
            var lines = output.Split('\n');
            var classes = lines.TakeWhile(l => !l.StartsWith("same=", StringComparison.Ordinal))
                .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            foreach (var score in LongHeader[14..23])
            {
                Assert.Equal("numeric", classes[score]);
            }
            Assert.Equal("logical", classes["has_audio"]);
            Assert.Equal("character", classes["participant"]);
            Assert.Equal("logical", classes["model_trained"]);
            Assert.Equal("integer", classes[format == "long" ? "window" : "window_count"]);
            Assert.Equal("numeric", classes[format == "long" ? "start_s" : "duration_s"]);
            Assert.Contains($"rows={(format == "long" ? 20 : 2)}", lines);
            var values = output[(output.IndexOf("rows=", StringComparison.Ordinal))..].Split('\n', 2)[1].Split('\x1e');
            // R reads a CRLF inside a quoted field as LF (text-mode connection); the API never lets one in anyway.
            Assert.Equal([HostileCode.Replace("\r\n", "\n", StringComparison.Ordinal), HostileFile, StudyName, EscapedStimulus, HostileStimulus], values);
            Assert.Contains("same=TRUE", lines); // the formula rule changed no number
            var joy = format == "long" ? TimelineSeeder.Value(7, 0, 5) : Enumerable.Range(0, 12).Average(i => (double)TimelineSeeder.Value(7, i, 5));
            var joyLine = Assert.Single(lines, l => l.StartsWith("first joy=", StringComparison.Ordinal));
            Assert.Equal(joy, double.Parse(joyLine["first joy=".Length..], CultureInfo.InvariantCulture), 1e-6);
        }
    }

    private async Task<string> SaveAsync(string key, Guid studyId, string format, string query = "")
    {
        var (response, body) = await ExportAsync(key, studyId, $"?format={format}{query}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var path = Path.Combine(Directory.CreateTempSubdirectory("emi-export-").FullName, $"{format}.csv");
        await File.WriteAllTextAsync(path, body, new UTF8Encoding(false));
        return path;
    }

    /// <summary>Runs python3 or Rscript on a saved export; also used by <see cref="EventsTests"/>.</summary>
    internal static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, StandardOutputEncoding = Encoding.UTF8 };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["LANG"] = "C.UTF-8";
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{program} is missing: run infra/install-deps.sh (make test does) to install python3-pandas and r-base-core.", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"{program} failed ({process.ExitCode}): {await stderr}");
            return await stdout;
        }
    }
}
