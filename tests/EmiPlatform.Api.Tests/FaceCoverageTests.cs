using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// The reference bundle's face stage, end to end: a recording scored by the platform carries each window's and the
/// recording's face_coverage in PostgreSQL, the timeline JSON and both CSV exports, and a window without the face
/// has no visual prediction.
/// </summary>
public sealed class FaceCoverageTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_scored_video_reports_where_the_participants_face_was_seen()
    {
        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var created = await Uploads.PostAsync(client, studyId, participantId, await TestMedia.FaceThenNoFaceVideoAsync(), "video/mp4", "?fileName=P01_face.mp4");
        var recording = (await created.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;
        var job = await WebhookDeliveryTests.WaitForJobAsync(client, studyId);
        Assert.Equal("succeeded", job.GetProperty("state").GetString());

        var timeline = await client.GetFromJsonAsync<JsonElement>($"/v1/recordings/{recording.Id}/timeline", Json.Options);
        var windows = timeline.GetProperty("windows").EnumerateArray().ToList();
        Assert.NotEmpty(windows);
        // The face is on screen for the first two seconds and gone for the last two.
        var early = windows.Where(w => w.GetProperty("end_s").GetDouble() <= 2).ToList();
        var late = windows.Where(w => w.GetProperty("start_s").GetDouble() >= 2).ToList();
        Assert.NotEmpty(early);
        Assert.NotEmpty(late);
        Assert.All(early, w => Assert.True(w.GetProperty("face_coverage").GetDouble() >= 0.5, $"face not seen in the window at {w.GetProperty("start_s")} s"));
        Assert.All(late, w => Assert.Equal(0, w.GetProperty("face_coverage").GetDouble()));
        // Each flag means one thing: a window had that branch's prediction. Without the face there is no visual one;
        // the tone is heard throughout.
        Assert.All(early, w => Assert.True(w.GetProperty("has_video").GetBoolean()));
        Assert.All(late, w => Assert.False(w.GetProperty("has_video").GetBoolean(), $"has_video in the faceless window at {w.GetProperty("start_s")} s"));
        Assert.All(windows, w => Assert.True(w.GetProperty("has_audio").GetBoolean()));

        var csv = await client.GetStringAsync($"/v1/studies/{studyId}/export?format=long");
        var rows = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(',')).ToList();
        var column = Array.IndexOf(rows[0], "face_coverage");
        Assert.Equal(Array.IndexOf(rows[0], "has_video") + 1, column); // appended after the flags: earlier columns keep their places
        Assert.Equal(windows.Select(w => w.GetProperty("face_coverage").GetDouble()),
            rows.Skip(1).Select(r => double.Parse(r[column], CultureInfo.InvariantCulture)));

        // The face stage's perception travels the same way: measured where the face was, null where it was not, and
        // the JSON and the CSV say the same. (The clip's audio is a tone: the speech stage hears no speech in it.)
        foreach (var name in (string[])["face_confidence", "au12_lip_corner_pull", "head_roll_deg", "expr_happy", "expr_neutral"])
        {
            var at = Array.IndexOf(rows[0], name);
            Assert.True(at > column, $"{name} is not among the CSV's columns after face_coverage");
            Assert.All(early, w => Assert.Equal(JsonValueKind.Number, w.GetProperty(name).ValueKind));
            Assert.All(late, w => Assert.Equal(JsonValueKind.Null, w.GetProperty(name).ValueKind));
            Assert.Equal(windows.Select(w => w.GetProperty(name).ValueKind == JsonValueKind.Null ? "" : w.GetProperty(name).GetDouble().ToString("R", CultureInfo.InvariantCulture)),
                rows.Skip(1).Select(r => r[at] == "" ? "" : double.Parse(r[at], CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture)));
        }
        Assert.All(windows, w => Assert.True(w.GetProperty("speech_coverage").GetDouble() < 0.2, $"a tone heard as speech at {w.GetProperty("start_s")} s"));

        var aggregate = (await client.GetStringAsync($"/v1/studies/{studyId}/export?format=aggregate"))
            .Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(',')).ToList();
        var recordingCoverage = double.Parse(aggregate[1][Array.IndexOf(aggregate[0], "face_coverage")], CultureInfo.InvariantCulture);
        Assert.InRange(recordingCoverage, 0.3, 0.7);
        // The recording had a visual prediction in some windows.
        Assert.Equal("TRUE", aggregate[1][Array.IndexOf(aggregate[0], "has_video")]);
    }

    [Fact]
    public async Task A_video_without_audio_in_which_no_face_is_ever_seen_fails_its_job_at_once_saying_so()
    {
        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var created = await Uploads.PostAsync(client, studyId, participantId, await TestMedia.FacelessSilentVideoAsync(), "video/mp4", "?fileName=P01_away.mp4");
        var recording = (await created.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;
        var job = await WebhookDeliveryTests.WaitForJobAsync(client, studyId);

        Assert.Equal("failed", job.GetProperty("state").GetString());
        // Not retried: the same bytes and bundle would find no face again.
        Assert.Equal(1, job.GetProperty("attempts").GetInt32());
        Assert.True(job.GetProperty("maxAttempts").GetInt32() > 1);
        var error = job.GetProperty("error").GetString()!;
        // In the lab's words: its own file name, never the worker's temporary copy.
        Assert.Matches("^no-face-seen: the bundle's face stage found no face in 1[01] frames of 'P01_away\\.mp4' and the recording has no audio; nothing was scored\\.$", error);
        Assert.DoesNotContain("emi-job-", error, StringComparison.Ordinal);
        Assert.Equal("P01_away.mp4", job.GetProperty("fileName").GetString());

        // Nothing was written: no timeline and no aggregate row.
        var timeline = await client.GetAsync($"/v1/recordings/{recording.Id}/timeline");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, timeline.StatusCode);
        var aggregate = (await client.GetStringAsync($"/v1/studies/{studyId}/export?format=aggregate"))
            .Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(aggregate);

        // The companion export names it, with its status and error.
        var statuses = CsvTestReader.Parse(await client.GetStringAsync($"/v1/studies/{studyId}/export?format=recordings"));
        var row = Assert.Single(statuses.Skip(1));
        string Cell(string column) => row[Array.IndexOf(statuses[0], column)];
        Assert.Equal("P01_away.mp4", Cell("recording"));
        Assert.Equal(recording.Id.ToString(), Cell("recording_id"));
        Assert.Equal("failed", Cell("status"));
        Assert.Equal(error, Cell("error"));
        Assert.Equal("0", Cell("window_count"));
    }
}
