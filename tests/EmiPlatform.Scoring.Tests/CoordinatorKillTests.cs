using System.Diagnostics;
using System.Net.Http.Json;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Scoring.Tests.Infrastructure;
using EmiPlatform.Testing;
using Xunit.Abstractions;

namespace EmiPlatform.Scoring.Tests;

/// <summary>
/// The coordinator silo hosting a study's grain, the grain that commits each recording's row, killed (SIGKILL) while
/// that study's streamed uploads and direct-upload completes are being registered: the clients retry as
/// <c>emi upload</c> does, the grain comes back on the other coordinator, and nothing is lost: every upload has its
/// recording, every row's blob holds the row's bytes, every blob is a row's or an orphan the sweep reports and removes.
/// </summary>
public sealed class CoordinatorKillTests(CoordinatorPair cluster, ITestOutputHelper output) : IClassFixture<CoordinatorPair>
{
    private const int Streamed = 6;
    private const int Direct = 6;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_coordinator_killed_while_uploads_and_completes_register_loses_no_recording_and_leaves_no_blob_unaccounted()
    {
        var clock = Stopwatch.StartNew();
        var lab = await cluster.Platform.CreateLabAsync("Failover lab");
        var (studyId, participantId) = (lab.StudyId, lab.ParticipantId);
        var streamed = await Task.WhenAll(Enumerable.Range(0, Streamed).Select(i => TestMedia.DistinctWavAsync(700 + i)));
        var direct = await Task.WhenAll(Enumerable.Range(0, Direct).Select(i => TestMedia.DistinctWavAsync(750 + i)));
        var staged = new List<DirectUploadDto>();
        foreach (var bytes in direct)
        {
            staged.Add(await FaultedUploads.StageAsync(lab.Client, studyId, participantId, bytes));
        }

        // All at once; the study grain's silo dies as soon as the first row is committed, with the rest in flight.
        var uploads = streamed.Select((bytes, i) => FaultedUploads.UntilRegisteredAsync(lab.Client,
            _ => FaultedUploads.Post(studyId, participantId, new ByteArrayContent(bytes), $"streamed-{i}.wav"), Patience)).ToList();
        var completes = staged.Select((upload, i) => FaultedUploads.UntilRegisteredAsync(lab.Client, _ =>
            new HttpRequestMessage(HttpMethod.Post, upload.CompleteUrl) { Content = JsonContent.Create(new { fileName = $"direct-{i}.wav" }) },
            Patience)).ToList();
        await Eventually.WaitAsync(async () => await RowsAsync(lab.TenantId) > 0, TimeSpan.FromSeconds(60), "the first row",
            TimeSpan.FromMilliseconds(20));
        var victim = await cluster.HostOfStudyAsync(studyId);
        Assert.True(victim is { IsCoordinator: true }, "the study's grain is active on a coordinator");
        victim.Kill();
        var registeredAtTheKill = await RowsAsync(lab.TenantId);
        var streamedResults = await Task.WhenAll(uploads);
        var directResults = await Task.WhenAll(completes);

        var rows = FaultedUploads.AssertEachUploadIsOneRecording(streamed, streamedResults, staged, direct, directResults,
            await cluster.Platform.RowsAsync(FaultedUploads.RecordingRowsSql, lab.TenantId));
        using var admin = cluster.Platform.Client(cluster.Platform.AdminKey);
        var orphans = await FaultedUploads.AssertNothingLostAsync(cluster.Blobs, admin, lab.TenantId, rows);
        var newHost = await cluster.HostOfStudyAsync(studyId);
        Assert.True(newHost is { HasExited: false } && newHost != victim, "the study's grain lives on the other coordinator");

        output.WriteLine($"rows at the kill: {registeredAtTheKill}; attempts streamed [{string.Join(", ", streamedResults.Select(r => r.Attempts))}], " +
            $"direct [{string.Join(", ", directResults.Select(r => r.Attempts))}]; orphans swept: {orphans.Count}; {clock.Elapsed.TotalSeconds:F1} s");
    }

    private Task<long> RowsAsync(Guid tenantId) =>
        cluster.Platform.ScalarAsync<long>("SELECT count(*) FROM recordings WHERE tenant_id = $1", tenantId);
}
