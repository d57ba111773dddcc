using System.Globalization;
using EmiPlatform.Cli.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Cli.Tests;

/// <summary><c>emi score</c>: the offline pipeline on a lab's own machine, with the committed reference bundle and real ffmpeg.</summary>
public sealed class CliScoreTests
{
    [Fact]
    public async Task Score_writes_a_timeline_csv_with_the_documented_columns_and_refuses_a_broken_file()
    {
        var folder = Directory.CreateTempSubdirectory("emi-score-").FullName;
        // A name a spreadsheet would run as a formula: the CSV neutralises it as the API's export does.
        var video = Path.Combine(folder, "=P01_joy.mp4");
        await TestMedia.WriteAsync(video, TestMedia.VideoAsync(1, 440));
        var csv = Path.Combine(folder, "timeline.csv");
        var bundle = Path.Combine(RepoRoot.Path, "models", "reference-tiny");
        var cli = new EmiRunner(Path.Combine(folder, "config.json"));

        (await cli.RunAsync("score", video, "--model", bundle, "--format", "csv", "--window", "250ms", "-o", csv)).AssertExit(0);

        var lines = await File.ReadAllLinesAsync(csv);
        var header = lines[0].Split(',');
        Assert.Equal(["recording", "start_s", "end_s", "admiration", "amusement", "determination", "empathic_pain", "excitement", "joy",
            "valence", "arousal", "dominance", "has_audio", "has_video"], header[..14]);
        var rows = lines[1..].Select(l => l.Split(',')).ToList();
        Assert.InRange(rows.Count, 4, 5); // a 1 s clip in 250 ms windows
        Assert.Equal(0.25, double.Parse(rows[1][1], CultureInfo.InvariantCulture), 3);
        Assert.All(rows, r => Assert.All(r[3..9], v => Assert.InRange(double.Parse(v, CultureInfo.InvariantCulture), 0, 1)));
        Assert.All(rows, r => Assert.Equal("\"'=P01_joy.mp4\"", r[0]));
        // A test pattern shows no face: the visual branch predicts nowhere, so each window had audio only.
        Assert.All(rows, r => Assert.Equal(["TRUE", "FALSE"], r[12..14]));
        // Which backbone made the audio features, as the API's exports say it; offline nothing comes from a cache.
        using (var manifest = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(bundle, "manifest.json"))))
        {
            var audioBackbone = manifest.RootElement.GetProperty("audio").GetProperty("backbone").GetProperty("sha256").GetString();
            Assert.All(rows, r => Assert.Equal(audioBackbone, r[Array.IndexOf(header, "audio_backbone_sha256")]));
            Assert.All(rows, r => Assert.Equal("FALSE", r[Array.IndexOf(header, "audio_features_cached")]));
        }

        var raw = Path.Combine(folder, "raw.csv");
        (await cli.RunAsync("score", video, "--model", bundle, "--window", "250ms", "--formulas", "raw", "-o", raw)).AssertExit(0);
        var rawLines = await File.ReadAllLinesAsync(raw);
        Assert.Equal(lines.Length, rawLines.Length);
        for (var i = 1; i < lines.Length; i++)
        {
            // Only the recording's cell differs. The scores are compared as numbers: two runs of the pipeline on a
            // loaded machine have been seen to differ in the last bit of a float.
            var (escapedRow, rawRow) = (lines[i].Split(','), rawLines[i].Split(','));
            Assert.Equal("=P01_joy.mp4", rawRow[0]);
            Assert.Equal(escapedRow.Length, rawRow.Length);
            for (var c = 1; c < rawRow.Length; c++)
            {
                if (double.TryParse(rawRow[c], CultureInfo.InvariantCulture, out var value))
                {
                    Assert.Equal(double.Parse(escapedRow[c], CultureInfo.InvariantCulture), value, 1e-6);
                }
                else
                {
                    Assert.Equal(escapedRow[c], rawRow[c]);
                }
            }
        }

        var broken = Path.Combine(folder, "broken.mp4");
        await File.WriteAllBytesAsync(broken, [.. Enumerable.Range(0, 4096).Select(i => (byte)i)]);
        var failed = await cli.RunAsync("score", broken, "--model", bundle, "-o", Path.Combine(folder, "broken.csv"));
        Assert.NotEqual(0, failed.ExitCode);
    }

    [Fact]
    public async Task Score_scores_the_face_crop_and_reports_face_coverage_per_window_and_per_recording()
    {
        var folder = Directory.CreateTempSubdirectory("emi-score-face-").FullName;
        var video = Path.Combine(folder, "P02_face.mp4");
        await TestMedia.WriteAsync(video, TestMedia.FaceThenNoFaceVideoAsync());
        var bundle = Path.Combine(RepoRoot.Path, "models", "reference-tiny");
        var json = Path.Combine(folder, "scores.json");
        var cli = new EmiRunner(Path.Combine(folder, "config.json"));

        var run = await cli.RunAsync("score", video, "--model", bundle, "--format", "json", "--no-progress", "-o", json);
        run.AssertExit(0);

        using var doc = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var result = doc.RootElement[0];
        // The face is in the first half of the recording only.
        var overall = result.GetProperty("face_coverage").GetDouble();
        Assert.InRange(overall, 0.4, 0.6);
        Assert.Contains($"face_coverage {overall.ToString("0.###", CultureInfo.InvariantCulture)}", run.Error, StringComparison.Ordinal);
        var windows = result.GetProperty("windows").EnumerateArray().ToList();
        Assert.Equal(4, windows.Count);
        Assert.Equal(1.0, windows[0].GetProperty("face_coverage").GetDouble());
        Assert.Equal(System.Text.Json.JsonValueKind.Array, windows[0].GetProperty("visual_emi").ValueKind);
        Assert.Equal(0.0, windows[3].GetProperty("face_coverage").GetDouble());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, windows[3].GetProperty("visual_emi").ValueKind);
    }

    [Fact]
    public async Task Score_fails_a_video_without_audio_in_which_no_face_is_seen_and_still_scores_the_other_files()
    {
        var folder = Directory.CreateTempSubdirectory("emi-score-noface-").FullName;
        var away = Path.Combine(folder, "P03_away.mp4");
        var tone = Path.Combine(folder, "P03_tone.wav");
        await TestMedia.WriteAsync(away, TestMedia.FacelessSilentVideoAsync());
        await TestMedia.WriteAsync(tone, TestMedia.SineAsync(510, 1));
        var bundle = Path.Combine(RepoRoot.Path, "models", "reference-tiny");
        var json = Path.Combine(folder, "scores.json");
        var cli = new EmiRunner(Path.Combine(folder, "config.json"));

        var run = await cli.RunAsync("score", away, tone, "--model", bundle, "--format", "json", "--no-progress", "-o", json);
        run.AssertExit(1);
        Assert.Matches(@"emi score: P03_away\.mp4: NoFaceSeen: no-face-seen: the bundle's face stage found no face in 1[01] frames of 'P03_away\.mp4' and the recording has no audio; nothing was scored\.", run.Error);
        using var doc = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var scored = Assert.Single(doc.RootElement.EnumerateArray());
        Assert.Equal("P03_tone.wav", scored.GetProperty("recording").GetString());
    }
}
