using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// The export's companion format, <c>recordings</c>: every recording of the study once, with what became of its
/// scoring, so the recordings the long and aggregate files leave out (no windows) are named with their status and error.
/// </summary>
public sealed class RecordingStatusExportTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly TimelineSeeder seed = new(api);

    [Fact]
    public async Task Every_recording_has_one_row_with_its_status_and_its_latest_jobs_error()
    {
        var (tenant, key) = await api.CreateTenantAsync();
        var study = await api.CreateStudyAsync(key);
        var p01 = await seed.ParticipantAsync(tenant.Id, study.Id, "P01");
        var p02 = await seed.ParticipantAsync(tenant.Id, study.Id, "P02");
        var name = "model-" + Guid.NewGuid().ToString("N")[..8];
        var older = await seed.BundleAsync(name, "1.0.0", DateTimeOffset.UtcNow.AddDays(-1));
        var newer = await seed.BundleAsync(name, "2.0.0", DateTimeOffset.UtcNow);
        var now = DateTimeOffset.UtcNow;

        var scored = await seed.RecordingAsync(tenant.Id, study.Id, p01, "P01_scored.mp4");
        await seed.TimelineAsync(tenant.Id, scored, newer, 12, seed: 1);
        var failed = await seed.RecordingAsync(tenant.Id, study.Id, p01, "P01_away.mp4");
        await seed.JobAsync(tenant.Id, study.Id, failed, older, "failed", "ffmpeg could not decode 'P01_away.mp4'", now.AddMinutes(-2));
        await seed.JobAsync(tenant.Id, study.Id, failed, newer, "failed", "no-face-seen: no face in 'P01_away.mp4'", now.AddMinutes(-1));
        var cancelled = await seed.RecordingAsync(tenant.Id, study.Id, p02, "=P02,cancelled.mp4");
        await seed.JobAsync(tenant.Id, study.Id, cancelled, newer, "cancelled", null, now);
        var never = await seed.RecordingAsync(tenant.Id, study.Id, p02, "P02_never.wav");

        var rows = CsvTestReader.Parse(await api.Client(key).GetStringAsync($"/v1/studies/{study.Id}/export?format=recordings"));

        Assert.Equal(["study", "study_id", "participant", "participant_id", "recording", "recording_id", "stimulus", "trial",
            "status", "error", "model_name", "model_version", "window_count"], rows[0]);
        var byId = rows.Skip(1).ToDictionary(r => Guid.Parse(r[5]));
        Assert.Equal([scored, failed, cancelled, never], rows.Skip(1).Select(r => Guid.Parse(r[5])));
        Assert.Equal(["P01_scored.mp4", "scored", "", name, "2.0.0", "12"], Pick(byId[scored]));
        // The latest job speaks for the recording.
        Assert.Equal(["P01_away.mp4", "failed", "no-face-seen: no face in 'P01_away.mp4'", name, "2.0.0", "0"], Pick(byId[failed]));
        // Text is escaped like every other text cell of the exports (a formula gets its apostrophe).
        Assert.Equal(["'=P02,cancelled.mp4", "cancelled", "", name, "2.0.0", "0"], Pick(byId[cancelled]));
        Assert.Equal(["P02_never.wav", "not-scored", "", "", "", "0"], Pick(byId[never]));

        // With a model named, the status is that bundle's: the recording only the newer bundle scored is not scored by the older.
        var pinned = CsvTestReader.Parse(await api.Client(key).GetStringAsync(
            $"/v1/studies/{study.Id}/export?format=recordings&model={name}@1.0.0")).Skip(1).ToDictionary(r => Guid.Parse(r[5]));
        Assert.Equal(["P01_scored.mp4", "not-scored", "", "", "", "0"], Pick(pinned[scored]));
        Assert.Equal(["P01_away.mp4", "failed", "ffmpeg could not decode 'P01_away.mp4'", name, "1.0.0", "0"], Pick(pinned[failed]));
    }

    private static string[] Pick(string[] row) => [row[4], row[8], row[9], row[10], row[11], row[12]];
}
