using System.Diagnostics;
using System.Net.Http.Json;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// PostgreSQL restarted while uploads are being registered loses no recording: the database is a cluster of this
/// class's own (<see cref="RestartablePostgresApi"/>), stopped (fast: every connection dropped, open transactions
/// rolled back) and started again under streamed uploads and direct-upload completes in flight. The clients retry as
/// <c>emi upload</c> does; afterwards every upload has its recording, every row's blob holds the row's bytes, and every
/// blob is a row's or an orphan the sweep reports and removes.
/// </summary>
public sealed class PostgresRestartTests(RestartablePostgresApi fixture, ITestOutputHelper output) : IClassFixture<RestartablePostgresApi>
{
    private const int Streamed = 6;
    private const int Direct = 6;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Down = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task PostgreSQL_restarted_while_uploads_and_completes_register_loses_no_recording_and_leaves_no_blob_unaccounted()
    {
        var clock = Stopwatch.StartNew();
        var api = fixture.Api;
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var streamed = await Task.WhenAll(Enumerable.Range(0, Streamed).Select(i => TestMedia.DistinctWavAsync(900 + i)));
        var direct = await Task.WhenAll(Enumerable.Range(0, Direct).Select(i => TestMedia.DistinctWavAsync(950 + i)));
        var staged = new List<DirectUploadDto>();
        foreach (var bytes in direct)
        {
            staged.Add(await FaultedUploads.StageAsync(client, studyId, participantId, bytes));
        }

        // The streamed uploads send half their body now and the rest once the server is down, so their registration
        // meets a database that is gone; the completes go at once, and the server stops as soon as the first has its
        // row, with the others somewhere between promoting, probing and the study grain's transaction.
        var down = new TaskCompletionSource();
        var uploads = streamed.Select((bytes, i) => FaultedUploads.UntilRegisteredAsync(client, n => FaultedUploads.Post(studyId, participantId,
            n == 0 ? new HeldContent(bytes, down.Task) : new ByteArrayContent(bytes), $"streamed-{i}.wav"), Patience)).ToList();
        var completes = staged.Select((upload, i) => FaultedUploads.UntilRegisteredAsync(client, _ =>
            new HttpRequestMessage(HttpMethod.Post, upload.CompleteUrl) { Content = JsonContent.Create(new { fileName = $"direct-{i}.wav" }) },
            Patience)).ToList();
        await Eventually.WaitAsync(async () => await RowsAsync(tenantId) > 0, TimeSpan.FromSeconds(30), "the first complete's row",
            TimeSpan.FromMilliseconds(20));
        var registeredBeforeTheStop = await RowsAsync(tenantId);
        await fixture.Postgres.StopAsync();
        try
        {
            down.SetResult();
            await Task.Delay(Down);
        }
        finally
        {
            await fixture.Postgres.StartAgainAsync();
            // The test's own superuser connections died with the server; the host's pools are left to heal on their own.
            NpgsqlConnection.ClearPool(new NpgsqlConnection(api.Database.Superuser));
        }
        var streamedResults = await Task.WhenAll(uploads);
        var directResults = await Task.WhenAll(completes);

        var rows = FaultedUploads.AssertEachUploadIsOneRecording(streamed, streamedResults, staged, direct, directResults,
            await api.Database.RowsAsync(FaultedUploads.RecordingRowsSql, tenantId));
        var orphans = await FaultedUploads.AssertNothingLostAsync(api.Blobs, api.Admin(), tenantId, rows);

        output.WriteLine($"rows before the stop: {registeredBeforeTheStop}; attempts streamed [{string.Join(", ", streamedResults.Select(r => r.Attempts))}], " +
            $"direct [{string.Join(", ", directResults.Select(r => r.Attempts))}]; orphans swept: {orphans.Count}; {clock.Elapsed.TotalSeconds:F1} s");
    }

    private Task<long> RowsAsync(Guid tenantId) =>
        fixture.Api.Database.ScalarAsync<long>("SELECT count(*) FROM recordings WHERE tenant_id = $1", tenantId);
}
