using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EmiPlatform.Abstractions.Jobs;
using EmiPlatform.Abstractions.Tenants;
using EmiPlatform.Contracts;
using EmiPlatform.Contracts.Transport;
using EmiPlatform.Scoring.Tests.Infrastructure;
using EmiPlatform.Storage;
using EmiPlatform.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace EmiPlatform.Scoring.Tests;

/// <summary>
/// The scaled-out platform under faults, on real RabbitMQ, PostgreSQL (data and Orleans clustering), Azurite, ffmpeg
/// and ONNX Runtime: an API client host, a coordinator silo and two scoring silos, each silo its own process. Each test
/// makes its own tenant; the cluster is shared, and restarted silos replace killed ones.
/// </summary>
public sealed class FaultToleranceTests(ScoringCluster cluster) : IClassFixture<ScoringCluster>
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task Twenty_recordings_all_succeed_exactly_once_while_a_worker_is_killed_mid_job()
    {
        await cluster.EnsureSilosAsync();
        var lab = await cluster.CreateLabAsync();
        var victim = cluster.Workers[0];

        // Watch from the first upload on: jobs are short, and the victim must die while it holds one.
        var watcher = Task.Run(async () =>
        {
            while (true)
            {
                var running = await cluster.RowsAsync(
                    "SELECT id FROM scoring_jobs WHERE study_id = $1 AND state = 'running' AND worker LIKE $2", lab.StudyId, $"%/{victim.Pid}/%");
                if (running.Count > 0)
                {
                    victim.Kill();
                    return (Guid)running[0][0];
                }
                await Task.Delay(20);
            }
        });
        var recordings = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            recordings.Add(await lab.UploadAsync(await TestMedia.ToneAsync(i, seconds: 6), $"tone-{i}.wav"));
        }
        var killed = await watcher.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(victim.HasExited);

        await lab.WaitForJobsAsync(20, Generous);
        await AssertScoredExactlyOnceAsync(lab, recordings);
        var takenOver = await cluster.RowsAsync("SELECT attempts, worker FROM scoring_jobs WHERE id = $1", killed);
        Assert.Equal(2, (int)takenOver[0][0]);
        Assert.DoesNotContain($"/{victim.Pid}/", (string)takenOver[0][1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_silo_serves_its_own_scrape_the_scoring_silo_that_scored_a_job_its_real_time_factor_the_coordinators_the_job()
    {
        await cluster.EnsureSilosAsync();
        var lab = await cluster.CreateLabAsync();
        var workers = cluster.Workers;
        var before = new Dictionary<int, double>();
        foreach (var worker in workers)
        {
            before[worker.Pid] = RealTimeFactorCount(await ScrapeAsync(worker));
        }

        await lab.UploadAsync(await TestMedia.ToneAsync(900), "tone.wav");
        await lab.WaitForJobsAsync(1, Generous);

        var scorer = (string)(await cluster.RowsAsync("SELECT worker FROM scoring_jobs WHERE study_id = $1", lab.StudyId))[0][0];
        foreach (var worker in workers)
        {
            var scored = scorer.Contains($"/{worker.Pid}/", StringComparison.Ordinal);
            var samples = await ScrapeAsync(worker);
            Assert.Equal(before[worker.Pid] + (scored ? 1 : 0), RealTimeFactorCount(samples));
            // A scoring-only silo holds no coordinator grain and counts no jobs.
            Assert.DoesNotContain(samples, x => x.Name == "emi_jobs");
        }
        var tenant = lab.TenantId.ToString();
        foreach (var coordinator in cluster.Silos.Where(s => s.IsCoordinator && !s.HasExited))
        {
            await cluster.WaitUntilAsync(async () => (await ScrapeAsync(coordinator)).Any(x =>
                x.Name == "emi_jobs" && x.Has("emi_tenant_id", tenant) && x.Has("emi_job_state", "succeeded") && x.Value == 1),
                TimeSpan.FromSeconds(30), $"coordinator {coordinator.Pid} to count the tenant's succeeded job");
        }
    }

    private static async Task<List<PrometheusSample>> ScrapeAsync(HostProcess silo)
    {
        using var http = new HttpClient();
        return PrometheusSample.Parse(await http.GetStringAsync($"http://localhost:{silo.MetricsPort}/metrics"));
    }

    private static double RealTimeFactorCount(List<PrometheusSample> samples) =>
        samples.Where(x => x.Name == "emi_scoring_real_time_factor_count").Sum(x => x.Value);

    [Fact]
    public async Task Thirty_recordings_all_succeed_exactly_once_while_the_silo_hosting_their_study_grain_is_killed()
    {
        await cluster.EnsureSilosAsync();
        var standby = cluster.StartSilo("coordinator");
        var lab = await cluster.CreateLabAsync();
        var hook = await lab.RegisterWebhookAsync();
        // Scoring is faster than uploading here, so the run is queued whole first: the scoring silos are stopped (idle,
        // nothing is lost), and one comes back once the thirty recordings are in.
        foreach (var idle in cluster.Workers)
        {
            idle.Kill();
            await cluster.WaitForSiloAsync(idle, dead: true);
        }
        var recordings = new List<Guid>();
        for (var i = 0; i < 30; i++)
        {
            recordings.Add(await lab.UploadAsync(await TestMedia.ToneAsync(400 + i, seconds: 6), $"tone-{i}.wav"));
        }
        cluster.StartSilo("scoring");
        await cluster.WaitUntilAsync(async () => (await lab.JobStatesAsync()).GetValueOrDefault("succeeded") >= 3,
            TimeSpan.FromSeconds(90), "the first jobs to succeed");

        var host = await cluster.HostOfAsync(cluster.StudyGrain(lab));
        Assert.NotNull(host);
        Assert.True(host.IsCoordinator, $"the study grain runs on a {host.Roles} silo");
        host.Kill();
        // The tenant is held (its grain releases nothing more) until the cluster has noticed the death and a new scoring
        // silo has joined, so that silo competes for the rest of the run however long this machine takes to start it.
        await lab.SetStatusAsync("suspend");
        var joined = cluster.StartSilo("scoring");
        await cluster.WaitForSiloAsync(host, dead: true);
        await cluster.WaitForSiloAsync(joined, dead: false);
        Assert.True((await lab.JobStatesAsync()).GetValueOrDefault("queued") > 0, "jobs were left for the silo that joined");
        await lab.SetStatusAsync("resume");

        await lab.WaitForJobsAsync(30, Generous);
        await AssertScoredExactlyOnceAsync(lab, recordings);
        await cluster.StudyGrain(lab).GetProgressAsync();
        var newHost = await cluster.HostOfAsync(cluster.StudyGrain(lab));
        Assert.True(newHost is { IsCoordinator: true, HasExited: false } && newHost != host,
            $"the study grain moved to the other coordinator (host now: {newHost?.Roles ?? "none"} {newHost?.Pid})");
        Assert.True(await cluster.ScalarAsync<long>("SELECT count(*) FROM scoring_jobs WHERE study_id = $1 AND worker LIKE $2", lab.StudyId, $"%/{joined.Pid}/%") > 0,
            "the silo that joined mid-run took work");
        // One run, ended once: one study.completed delivery, and no run left open.
        await cluster.WaitUntilAsync(async () => await cluster.ScalarAsync<long>(
            "SELECT count(*) FROM study_runs WHERE study_id = $1 AND completed_at IS NOT NULL", lab.StudyId) >= 1, TimeSpan.FromSeconds(30), "the run to complete");
        // The study grain has reconciled since (a report of a job it does not hold makes it read the run again and end
        // it if it can): whatever the owner would do after the run's end, it has done.
        await cluster.StudyGrain(lab).JobChangedAsync(Guid.NewGuid());
        Assert.NotNull((await cluster.StudyGrain(lab).GetProgressAsync()).CompletedAt);
        Assert.Equal(0L, await cluster.ScalarAsync<long>("SELECT count(*) FROM study_runs WHERE study_id = $1 AND completed_at IS NULL", lab.StudyId));
        var runs = await cluster.ScalarAsync<long>("SELECT count(*) FROM study_runs WHERE study_id = $1", lab.StudyId);
        Assert.Equal(runs, await cluster.ScalarAsync<long>(
            "SELECT count(*) FROM webhook_deliveries WHERE webhook_id = $1 AND event_type = 'study.completed'", hook));
        Assert.Equal(runs, await cluster.ScalarAsync<long>(
            "SELECT count(DISTINCT run_id) FROM webhook_deliveries WHERE webhook_id = $1 AND event_type = 'study.completed'", hook));
        _ = standby;
    }

    [Fact]
    public async Task RabbitMQ_restarted_mid_run_loses_no_job()
    {
        await cluster.EnsureSilosAsync();
        var lab = await cluster.CreateLabAsync();
        var recordings = new List<Guid>();
        for (var i = 0; i < 10; i++)
        {
            recordings.Add(await lab.UploadAsync(await TestMedia.ToneAsync(100 + i, seconds: 4), $"tone-{i}.wav"));
        }
        await cluster.WaitUntilAsync(async () => (await lab.JobStatesAsync()).GetValueOrDefault("succeeded") >= 2,
            TimeSpan.FromSeconds(90), "the first jobs to succeed");

        try
        {
            await RabbitMqAsync("stop");
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        finally
        {
            await RabbitMqAsync("start");
        }

        await lab.WaitForJobsAsync(10, Generous);
        await AssertScoredExactlyOnceAsync(lab, recordings);
    }

    [Fact]
    public async Task A_poison_recording_fails_after_its_attempts_without_blocking_the_others()
    {
        await cluster.EnsureSilosAsync();
        var lab = await cluster.CreateLabAsync();
        var poison = await lab.UploadAsync(await TestMedia.ToneAsync(200, seconds: 3), "poison.wav");
        await lab.WaitForJobsAsync(1, Generous);
        var windowsBefore = await cluster.ScalarAsync<long>("SELECT count(*) FROM timeline_windows WHERE recording_id = $1", poison);

        // The blob goes bad after its first scoring: every further attempt fails in the decoder. The row's hash follows
        // the bytes, so this is bad media rather than a changed recording (which fails at once, without retries).
        var blobName = await cluster.ScalarAsync<string>("SELECT blob_name FROM recordings WHERE id = $1", poison);
        var garbage = await cluster.Blobs.UploadAsync(blobName, new MemoryStream(System.Security.Cryptography.RandomNumberGenerator.GetBytes(50_000)),
            new BlobUploadOptions { Overwrite = true });
        await cluster.ScalarAsync<int>("UPDATE recordings SET sha256 = $1 WHERE id = $2 RETURNING 1", garbage.Sha256, poison);
        var rescore = await lab.Client.PostAsJsonAsync($"/v1/recordings/{poison}/rescore", new { });
        Assert.Equal(HttpStatusCode.Accepted, rescore.StatusCode);
        var poisonJob = Guid.Parse(JsonNode.Parse(await rescore.Content.ReadAsStringAsync())!["id"]!.GetValue<string>());

        var good = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            good.Add(await lab.UploadAsync(await TestMedia.ToneAsync(210 + i, seconds: 3), $"good-{i}.wav"));
        }

        await lab.WaitForJobsAsync(7, Generous, "succeeded", "failed");
        var job = await cluster.RowsAsync("SELECT state, attempts, error FROM scoring_jobs WHERE id = $1", poisonJob);
        Assert.Equal("failed", job[0][0]);
        Assert.Equal(3, job[0][1]);
        Assert.False(string.IsNullOrWhiteSpace(job[0][2] as string));
        Assert.Equal(6L, (await lab.JobStatesAsync())["succeeded"]);
        // The failed re-score wrote nothing: the first scoring's timeline is still there, unchanged in size.
        Assert.Equal(windowsBefore, await cluster.ScalarAsync<long>("SELECT count(*) FROM timeline_windows WHERE recording_id = $1", poison));
        await AssertScoredExactlyOnceAsync(lab, good);
    }

    [Fact]
    public async Task A_cancelled_job_stops_its_ffmpeg_and_writes_nothing()
    {
        await cluster.EnsureSilosAsync();
        var lab = await cluster.CreateLabAsync();
        // Long enough to still be scoring when the cancel arrives: the tiny bundle scores ~300 s of recording per second.
        var recording = await lab.UploadAsync(await TestMedia.LongVideoAsync(900), "long.mp4", "video/mp4");
        var jobId = await cluster.ScalarAsync<Guid>("SELECT id FROM scoring_jobs WHERE recording_id = $1", recording);

        HostProcess? worker = null;
        await cluster.WaitUntilAsync(async () =>
        {
            var holder = await cluster.RowsAsync("SELECT worker FROM scoring_jobs WHERE id = $1 AND state = 'running'", jobId);
            worker = holder.Count == 0 ? null : cluster.Workers.FirstOrDefault(w => ((string)holder[0][0]).Contains($"/{w.Pid}/", StringComparison.Ordinal));
            return worker is not null && worker.MediaChildren().Any(pid => ProcessName(pid) == "ffmpeg");
        }, TimeSpan.FromSeconds(90), "the job to run with its ffmpeg decoders");

        var response = await lab.Client.PostAsync($"/v1/jobs/{jobId}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("cancelled", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["state"]!.GetValue<string>());

        var stopwatch = Stopwatch.StartNew();
        await cluster.WaitUntilAsync(() => Task.FromResult(worker!.MediaChildren().Count == 0), TimeSpan.FromSeconds(15), "the job's ffmpeg to stop");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"ffmpeg stopped only after {stopwatch.Elapsed}");
        await cluster.WaitUntilAsync(() => Task.FromResult(worker!.Log.Contains("nothing was written", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(15), "the worker to abandon the job");

        Assert.Equal("cancelled", await cluster.ScalarAsync<string>("SELECT state FROM scoring_jobs WHERE id = $1", jobId));
        Assert.Equal(0L, await cluster.ScalarAsync<long>("SELECT count(*) FROM timeline_windows WHERE recording_id = $1", recording));
        Assert.Equal(0L, await cluster.ScalarAsync<long>("SELECT count(*) FROM recording_scores WHERE recording_id = $1", recording));
        Assert.False(worker!.HasExited);
    }

    [Fact]
    public async Task The_timeline_of_a_redelivered_job_has_no_duplicates()
    {
        await cluster.EnsureSilosAsync();
        var lab = await cluster.CreateLabAsync();
        var recording = await lab.UploadAsync(await TestMedia.ToneAsync(300, seconds: 5), "tone.wav");
        await lab.WaitForJobsAsync(1, Generous);
        var jobId = await cluster.ScalarAsync<Guid>("SELECT id FROM scoring_jobs WHERE recording_id = $1", recording);
        var windows = await cluster.ScalarAsync<long>("SELECT count(*) FROM timeline_windows WHERE recording_id = $1", recording);
        Assert.True(windows > 0);

        // A duplicate message for a finished job is dropped: nothing runs, nothing changes.
        var dropped = $"Job {jobId} is not queued any more; message dropped";
        int Drops() => cluster.Silos.Where(s => s.IsScoring).Sum(s => s.Log.Split(dropped).Length - 1);
        var dropsBefore = Drops();
        await cluster.SendAsync(new ScoreRecording(jobId));
        await cluster.WaitUntilAsync(() => Task.FromResult(Drops() > dropsBefore), TimeSpan.FromSeconds(30), "a scoring silo to drop the duplicate message");
        Assert.Equal(1, await cluster.ScalarAsync<int>("SELECT attempts FROM scoring_jobs WHERE id = $1", jobId));

        // The same job delivered and run again (as after a lost ack): its rows are replaced, not added.
        await cluster.ScalarAsync<int>("WITH u AS (UPDATE scoring_jobs SET state = 'queued', lease_expires_at = NULL WHERE id = $1 RETURNING 1) SELECT count(*)::int FROM u", jobId);
        await cluster.SendAsync(new ScoreRecording(jobId));
        await cluster.WaitUntilAsync(
            async () => await cluster.ScalarAsync<long>("SELECT count(*) FROM scoring_jobs WHERE id = $1 AND state = 'succeeded' AND attempts = 2", jobId) == 1,
            Generous, "the job's second run");
        await AssertTimelineAsync(recording, jobId, windows);

        // A re-score with the same bundle replaces the rows again, now under the new job.
        var response = await lab.Client.PostAsJsonAsync($"/v1/recordings/{recording}/rescore", new { });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var rescoreJob = Guid.Parse(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>());
        await lab.WaitForJobsAsync(2, Generous);
        await AssertTimelineAsync(recording, rescoreJob, windows);
    }

    private async Task AssertTimelineAsync(Guid recording, Guid jobId, long expectedWindows)
    {
        var rows = await cluster.RowsAsync(
            "SELECT count(*), count(DISTINCT window_index), count(*) FILTER (WHERE job_id = $2) FROM timeline_windows WHERE recording_id = $1", recording, jobId);
        Assert.Equal([expectedWindows, expectedWindows, expectedWindows], rows[0].Cast<long>().ToArray());
        var scores = await cluster.RowsAsync("SELECT job_id, window_count FROM recording_scores WHERE recording_id = $1", recording);
        Assert.Single(scores);
        Assert.Equal(jobId, scores[0][0]);
        Assert.Equal((int)expectedWindows, scores[0][1]);
    }

    /// <summary>One succeeded job per recording, and its timeline and aggregate written once, by that job.</summary>
    private async Task AssertScoredExactlyOnceAsync(Lab lab, IReadOnlyCollection<Guid> recordings)
    {
        var rows = await cluster.RowsAsync("""
            SELECT r.id,
                   (SELECT count(*) FROM scoring_jobs j WHERE j.recording_id = r.id),
                   (SELECT count(*) FROM scoring_jobs j WHERE j.recording_id = r.id AND j.state = 'succeeded'),
                   (SELECT count(*) FROM timeline_windows w WHERE w.recording_id = r.id),
                   (SELECT count(DISTINCT w.window_index) FROM timeline_windows w WHERE w.recording_id = r.id),
                   (SELECT count(*) FROM timeline_windows w JOIN scoring_jobs j ON j.id = w.job_id WHERE w.recording_id = r.id AND j.state = 'succeeded'),
                   (SELECT count(*) FROM recording_scores s WHERE s.recording_id = r.id),
                   coalesce((SELECT s.window_count FROM recording_scores s WHERE s.recording_id = r.id), -1)
            FROM recordings r WHERE r.id = ANY($1)
            """, recordings.ToArray());
        Assert.Equal(recordings.Count, rows.Count);
        foreach (var row in rows)
        {
            var (jobs, succeeded, windows, distinct, byJob, scores, count) =
                ((long)row[1], (long)row[2], (long)row[3], (long)row[4], (long)row[5], (long)row[6], (int)row[7]);
            var where = $"recording {row[0]}: jobs {jobs}, succeeded {succeeded}, windows {windows}, distinct {distinct}, by its job {byJob}, scores {scores}, window_count {count}";
            Assert.True(jobs == 1 && succeeded == 1 && windows > 0 && distinct == windows && byJob == windows && scores == 1 && count == windows, where);
        }
        _ = lab;
    }

    private static string ProcessName(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    private static async Task RabbitMqAsync(string verb)
    {
        using var script = Process.Start(new ProcessStartInfo(Path.Combine(RepoRoot.Path, "infra", "rabbitmq.sh"), verb)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = await script.StandardOutput.ReadToEndAsync() + await script.StandardError.ReadToEndAsync();
        await script.WaitForExitAsync();
        Assert.True(script.ExitCode == 0, $"infra/rabbitmq.sh {verb} failed: {output}");
    }
}
