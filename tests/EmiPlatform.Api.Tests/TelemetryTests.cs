using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Scoring.Telemetry;
using EmiPlatform.Telemetry;
using EmiPlatform.Testing;
using OpenTelemetry.Logs;
using OpenTelemetry.Trace;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// The API host with its embedded silo, its spans and log records captured in memory as an exporter gets them, an
/// OTLP/HTTP endpoint configured (exports every half second rather than every 5 s and 60 s), and jobs counted for the
/// <c>emi.jobs</c> gauge every 200 ms instead of every 15 s.
/// </summary>
public sealed class TelemetryFixture : IAsyncLifetime
{
    public LockedCollection<Activity> Spans { get; } = new();

    public LogCapture Logs { get; } = new();

    public ApiFactory Api { get; }

    public TelemetryFixture() => Api = new ApiFactory
    {
        Settings = { ["OpenTelemetry:JobStatesInterval"] = "00:00:00.200" },
        TestServices = services => services
            .ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans))
            .ConfigureOpenTelemetryLoggerProvider(logging => logging.AddProcessor(Logs)),
    };

    public OtlpReceiver Otlp { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Otlp = await OtlpReceiver.StartAsync();
        Api.Settings["OpenTelemetry:Otlp:Endpoint"] = Otlp.Url.ToString();
        Api.Settings["OpenTelemetry:Otlp:Protocol"] = "HttpProtobuf";
        Api.Settings["OTEL_BSP_SCHEDULE_DELAY"] = "500";
        Api.Settings["OTEL_BLRP_SCHEDULE_DELAY"] = "500";
        Api.Settings["OTEL_METRIC_EXPORT_INTERVAL"] = "500";
        await Api.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Otlp.DisposeAsync();
    }
}

public sealed class TelemetryTests(TelemetryFixture fixture) : IClassFixture<TelemetryFixture>
{
    private ApiFactory Api => fixture.Api;

    [Fact]
    public async Task A_scrape_with_the_platform_admin_key_shows_the_scored_job_its_scoring_speed_and_its_tenants_upload_and_export()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(Api);
        var client = Api.Client(key);
        var bytes = await TestMedia.DistinctWavAsync(700);
        Assert.Equal(HttpStatusCode.Created, (await Uploads.PostAsync(client, studyId, participantId, bytes, "audio/wav", "?fileName=tone.wav")).StatusCode);
        Assert.Equal("succeeded", (await WebhookDeliveryTests.WaitForJobAsync(client, studyId)).GetProperty("state").GetString());
        var csv = await client.GetStringAsync($"/v1/studies/{studyId}/export?format=long");
        var csvRows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1;
        Assert.True(csvRows > 0, csv);

        var tenant = tenantId.ToString();
        var samples = await ScrapeUntilAsync(s => s.Any(x => x.Name == "emi_jobs" && x.Has("emi_tenant_id", tenant) && x.Has("emi_job_state", "succeeded") && x.Value == 1)
            && s.Any(x => x.Name == "emi_export_rows_total" && x.Has("emi_tenant_id", tenant)));

        // Every state of the tenant, zeros included: one job, and it succeeded (it was queued and running before).
        var jobs = samples.Where(x => x.Name == "emi_jobs" && x.Has("emi_tenant_id", tenant)).ToDictionary(x => x.Labels["emi_job_state"], x => x.Value);
        Assert.Equal(new Dictionary<string, double> { ["queued"] = 0, ["running"] = 0, ["succeeded"] = 1, ["failed"] = 0, ["cancelled"] = 0 }, jobs);
        Assert.Equal(bytes.Length, Single(samples, "emi_upload_size_bytes_total", tenant).Value);
        Assert.Equal(csvRows, Single(samples, "emi_export_rows_total", tenant).Value);
        Assert.True(Single(samples, "emi_export_rows_total", tenant).Has("emi_export_format", "long"));
        Assert.Equal(1, Single(samples, "emi_job_queue_duration_seconds_count", tenant).Value);
        // Every job scored ran on the CPU provider; this test's is one of them. OpenTelemetry listens to meters by
        // name, so the other test hosts in this process add a series each: one host per process in production.
        var speeds = samples.Where(x => x.Name == "emi_scoring_real_time_factor_count").ToList();
        Assert.NotEmpty(speeds);
        Assert.All(speeds, s => Assert.True(s.Has("emi_scoring_execution_provider", "CPUExecutionProvider"), string.Join(",", s.Labels)));
        var count = speeds.Sum(s => s.Value);
        Assert.True(count >= 1);
        var sum = samples.Where(x => x.Name == "emi_scoring_real_time_factor_sum").Sum(x => x.Value);
        Assert.InRange(sum / count, 1e-4, 50);
    }

    [Fact]
    public async Task The_metrics_endpoint_refuses_tenant_keys_with_a_403_problem_and_anonymous_callers_with_401()
    {
        var (tenant, tenantAdmin) = await Api.CreateTenantAsync();
        var analyst = await Api.CreateKeyAsync(tenant.Id, "analyst");
        foreach (var key in new[] { tenantAdmin, analyst })
        {
            await ProblemAssert.IsProblem(await Api.Client(key).GetAsync("/metrics"), HttpStatusCode.Forbidden, "forbidden");
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.Client(null).GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task An_uploads_trace_runs_through_the_grains_and_the_bus_into_the_scoring_span_with_its_database_and_blob_calls()
    {
        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(Api);
        var client = Api.Client(key);
        var bytes = await TestMedia.DistinctWavAsync(701);
        ActivityTraceId trace;
        // A client's sampled trace (traceparent flag 01): the host's parent-based sampler records what follows it.
        using (var upload = new Activity("test upload") { ActivityTraceFlags = ActivityTraceFlags.Recorded }.Start())
        {
            trace = upload.TraceId;
            Assert.Equal(HttpStatusCode.Created, (await Uploads.PostAsync(client, studyId, participantId, bytes, "audio/wav", "?fileName=tone.wav")).StatusCode);
        }
        var job = await WebhookDeliveryTests.WaitForJobAsync(client, studyId);
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        var jobId = job.GetProperty("id").GetString();

        var score = await WaitForSpanAsync(s => s.Source.Name == EmiActivitySource.Name && (string?)s.GetTagItem(EmiTags.JobId) == jobId);
        Assert.True(trace == score.TraceId, $"the scoring span is not in the upload's trace.\nupload's trace:\n{Describe(trace)}\nscoring span's trace:\n{Describe(score.TraceId)}");
        Assert.Equal(ScoringSpan.Name, score.DisplayName);
        Assert.Equal("succeeded", score.GetTagItem(EmiTags.JobOutcome));
        Assert.Equal("CPUExecutionProvider", score.GetTagItem(EmiTags.ExecutionProvider));
        Assert.Equal("cpu", score.GetTagItem(EmiTags.Device));
        Assert.True(score.GetTagItem(EmiTags.RealTimeFactor) is double factor && factor > 0);

        var spans = fixture.Spans.Where(s => s.TraceId == trace).ToDictionary(s => s.SpanId);
        Assert.Contains(spans.Values, s => s.Source.Name == "Microsoft.AspNetCore" && s.Kind == ActivityKind.Server);
        Assert.Contains(spans.Values, s => s.Source.Name == Orleans.Diagnostics.ActivitySources.ApplicationGrainActivitySourceName);
        Assert.Contains(spans.Values, s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Producer);
        Assert.Contains(spans.Values, s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Consumer && IsAncestor(spans, s, score));
        // The upload's own database and storage calls, and the scoring job's: the claim and the download.
        Assert.Contains(spans.Values, s => s.Source.Name == "Npgsql" && !IsAncestor(spans, score, s));
        Assert.Contains(spans.Values, s => s.Source.Name.StartsWith("Azure.Storage.Blobs", StringComparison.Ordinal) && !IsAncestor(spans, score, s));
        Assert.Contains(spans.Values, s => s.Source.Name == "Npgsql" && IsAncestor(spans, score, s));
        Assert.Contains(spans.Values, s => s.Source.Name.StartsWith("Azure.Storage.Blobs", StringComparison.Ordinal) && IsAncestor(spans, score, s));

        // The worker's log line about this job carries the scoring span's ids.
        var logged = fixture.Logs.Records.Where(r => r.Message?.Contains($"Job {jobId} succeeded", StringComparison.Ordinal) == true).ToList();
        var line = Assert.Single(logged);
        Assert.Equal((trace, score.SpanId), (line.TraceId, line.SpanId));
    }

    private string Describe(ActivityTraceId trace) => string.Join('\n', fixture.Spans.Where(s => s.TraceId == trace).OrderBy(s => s.StartTimeUtc)
        .Select(s => $"  {s.StartTimeUtc:HH:mm:ss.fff} {s.Source.Name} {s.Kind} '{s.DisplayName}' {s.SpanId} <- {s.ParentSpanId}"));

    [Fact]
    public async Task With_an_otlp_endpoint_configured_the_host_pushes_its_traces_metrics_and_logs_there()
    {
        // Something to export on every signal: a traced, logged request whose duration is a metric.
        await Api.CreateTenantAsync();
        var service = System.Text.Encoding.UTF8.GetBytes("EmiPlatform.Api");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string[] signals = ["/v1/traces", "/v1/metrics", "/v1/logs"];
        while (!signals.All(path => fixture.Otlp.Exports.Any(e => e.Path == path)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"within 30 s the OTLP endpoint got only {string.Join(", ", fixture.Otlp.Exports.Select(e => e.Path).Distinct())}");
            await Task.Delay(200);
        }
        foreach (var path in signals)
        {
            var export = fixture.Otlp.Exports.First(e => e.Path == path);
            Assert.Equal("application/x-protobuf", export.ContentType);
            // The resource's service.name, as protobuf carries strings: its UTF-8 bytes.
            Assert.True(export.Body.AsSpan().IndexOf(service) >= 0, $"{path}: no service name in {export.Body.Length} bytes");
        }
    }

    private static PrometheusSample Single(List<PrometheusSample> samples, string name, string tenant) =>
        Assert.Single(samples, x => x.Name == name && x.Has("emi_tenant_id", tenant));

    /// <summary>True when <paramref name="ancestor"/> is above <paramref name="span"/> in the trace.</summary>
    private static bool IsAncestor(Dictionary<ActivitySpanId, Activity> spans, Activity ancestor, Activity span)
    {
        for (var parent = span.ParentSpanId; parent != default; parent = spans.TryGetValue(parent, out var p) ? p.ParentSpanId : default)
        {
            if (parent == ancestor.SpanId)
            {
                return true;
            }
        }
        return false;
    }

    private async Task<List<PrometheusSample>> ScrapeUntilAsync(Func<List<PrometheusSample>, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var response = await Api.Admin().GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync();
            var samples = PrometheusSample.Parse(text);
            if (done(samples))
            {
                return samples;
            }
            Assert.True(DateTime.UtcNow < deadline, $"the scrape did not show the job within 30 s:\n{text}");
            await Task.Delay(250);
        }
    }

    private async Task<Activity> WaitForSpanAsync(Func<Activity, bool> match)
    {
        // The scoring span ends after the job's state is committed, so a poll that saw "succeeded" may be a moment early.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (fixture.Spans.FirstOrDefault(match) is { } span)
            {
                return span;
            }
            Assert.True(DateTime.UtcNow < deadline, "no scoring span was exported");
            await Task.Delay(100);
        }
    }
}
