using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EmiPlatform.Api.Paging;
using EmiPlatform.Api.Participants;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Api.Webhooks;
using EmiPlatform.Data.Entities;
using EmiPlatform.Harness;
using EmiPlatform.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EmiPlatform.Api.Tests;

/// <summary>The API host with short webhook timings and private targets allowed (the receiver listens on 127.0.0.1).</summary>
public sealed class WebhookDeliveryFixture : IAsyncLifetime
{
    public const int MaxAttempts = 3;

    public ApiFactory Api { get; } = new()
    {
        Settings =
        {
            ["Webhooks:AllowPrivateNetworks"] = "true",
            ["Webhooks:MaxAttempts"] = MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Webhooks:InitialBackoff"] = "00:00:01",
            ["Webhooks:BackoffMultiplier"] = "2",
            ["Webhooks:PollInterval"] = "00:00:00.200",
            ["Webhooks:Timeout"] = "00:00:05",
        },
    };

    public Task InitializeAsync() => Api.InitializeAsync();

    public async Task DisposeAsync() => await Api.DisposeAsync();
}

public sealed class WebhookDeliveryTests(WebhookDeliveryFixture fixture) : IClassFixture<WebhookDeliveryFixture>
{
    private ApiFactory Api => fixture.Api;

    [Fact]
    public async Task A_scored_upload_produces_exactly_one_delivery_whose_signature_verifies_with_the_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 204);
        var (key, client, hook) = await RegisterAsync(receiver);
        var (studyId, recordingId) = await UploadAsync(key);

        var job = await WaitForJobAsync(client, studyId);
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        var delivery = await WaitForDeliveryAsync(client, hook.Webhook.Id, d => d.Status == WebhookDeliveryStatus.Delivered);
        // The study's run ended with its one job: its study.completed event follows.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (receiver.StudyRequests.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }
        // A duplicate of either event would have been sent before a later event is.
        await DeliverALaterEventAsync();

        var request = Assert.Single(receiver.Requests);
        Assert.Equal(1, delivery.Attempts);
        Assert.Equal(204, delivery.LastStatusCode);
        Assert.Equal("job.succeeded", delivery.EventType);
        Assert.Equal(delivery.EventId.ToString(), request.Headers["Emi-Webhook-Id"]);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);

        // The receiver's side of the contract, computed here independently of the platform's code.
        var timestamp = request.Headers["Emi-Webhook-Timestamp"];
        Assert.InRange(long.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var signed = Encoding.UTF8.GetBytes(timestamp + ".").Concat(request.Body).ToArray();
        var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(hook.Secret), signed));
        Assert.Equal(expected, request.Headers["Emi-Webhook-Signature"]);
        var wrongSecret = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(hook.Secret + "x"), signed));
        Assert.NotEqual(wrongSecret, request.Headers["Emi-Webhook-Signature"]);

        var body = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal(delivery.EventId, body.GetProperty("id").GetGuid());
        Assert.Equal("job.succeeded", body.GetProperty("type").GetString());
        Assert.True(DateTimeOffset.TryParse(body.GetProperty("occurredAt").GetString(), out _));
        Assert.False(body.TryGetProperty("tenantId", out _), "events never expose tenant ids");
        var eventJob = body.GetProperty("job");
        Assert.Equal(job.GetProperty("id").GetGuid(), eventJob.GetProperty("id").GetGuid());
        Assert.Equal(recordingId, eventJob.GetProperty("recordingId").GetGuid());
        Assert.Equal(studyId, eventJob.GetProperty("studyId").GetGuid());
        Assert.Equal("succeeded", eventJob.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, eventJob.GetProperty("error").ValueKind);
        var bundle = job.GetProperty("bundle");
        Assert.Equal(bundle.GetProperty("name").GetString(), eventJob.GetProperty("bundle").GetProperty("name").GetString());
        Assert.Equal(bundle.GetProperty("version").GetString(), eventJob.GetProperty("bundle").GetProperty("version").GetString());
        Assert.False(eventJob.GetProperty("bundle").GetProperty("trained").GetBoolean());

        // One study.completed event, with the run's counts.
        var completed = JsonDocument.Parse(Assert.Single(receiver.StudyRequests).Body).RootElement;
        Assert.Equal("study.completed", completed.GetProperty("type").GetString());
        Assert.Equal(studyId, completed.GetProperty("study").GetProperty("id").GetGuid());
        var counts = completed.GetProperty("study").GetProperty("jobs");
        Assert.Equal(1, counts.GetProperty("total").GetInt32());
        Assert.Equal(1, counts.GetProperty("succeeded").GetInt32());
        Assert.Equal(0, counts.GetProperty("failed").GetInt32());
    }

    [Fact]
    public async Task After_a_rotation_a_delivery_is_signed_with_the_new_and_the_replaced_secret_and_a_second_rotation_drops_the_oldest()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 204);
        var (key, client, hook) = await RegisterAsync(receiver);
        var before = DateTimeOffset.UtcNow;
        var response = await client.PostAsync($"/v1/webhooks/{hook.Webhook.Id}/rotate-secret", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rotated = (await response.Content.ReadFromJsonAsync<WebhookSecretDto>(Json.Options))!;
        Assert.StartsWith("whsec_", rotated.Secret, StringComparison.Ordinal);
        Assert.NotEqual(hook.Secret, rotated.Secret);
        Assert.Equal(rotated.Secret[..10], rotated.Webhook.SecretPrefix);
        Assert.Equal(hook.Secret[..10], rotated.Webhook.PreviousSecretPrefix);
        // The default window: 24 h from the rotation.
        Assert.InRange(rotated.Webhook.PreviousSecretExpiresAt!.Value, before.AddHours(24).AddSeconds(-1), DateTimeOffset.UtcNow.AddHours(24).AddSeconds(1));
        var listed = await client.GetFromJsonAsync<WebhookDto>($"/v1/webhooks/{hook.Webhook.Id}", Json.Options);
        Assert.Equal(rotated.Webhook, listed);

        var (studyId, _) = await UploadAsync(key);
        await WaitForJobAsync(client, studyId);
        await WaitForDeliveryAsync(client, hook.Webhook.Id, d => d.Status == WebhookDeliveryStatus.Delivered);
        var request = Assert.Single(receiver.Requests);
        Assert.Equal([ReceiverSignature.Expected(rotated.Secret, request), ReceiverSignature.Expected(hook.Secret, request)],
            ReceiverSignature.Values(request));
        Assert.False(ReceiverSignature.Accepts(hook.Secret + "x", request));

        // Only one previous secret is kept: the registration's secret stops signing at the second rotation.
        response = await client.PostAsync($"/v1/webhooks/{hook.Webhook.Id}/rotate-secret", null);
        var again = (await response.Content.ReadFromJsonAsync<WebhookSecretDto>(Json.Options))!;
        Assert.Equal(rotated.Secret[..10], again.Webhook.PreviousSecretPrefix);
        await using (var connection = new Npgsql.NpgsqlConnection(Api.Database.Owner))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("SELECT secret, previous_secret FROM webhooks WHERE id = $1", connection);
            command.Parameters.Add(new() { Value = hook.Webhook.Id });
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal([again.Secret, rotated.Secret], [reader.GetString(0), reader.GetString(1)]);
        }

        var analyst = Api.Client(await Api.CreateKeyAsync((await client.GetFromJsonAsync<JsonElement>("/v1/me")).GetProperty("tenant").GetProperty("id").GetGuid(), "analyst"));
        await ProblemAssert.IsProblem(await analyst.PostAsync($"/v1/webhooks/{hook.Webhook.Id}/rotate-secret", null), HttpStatusCode.Forbidden, "forbidden");
        await ProblemAssert.IsProblem(await client.PostAsync($"/v1/webhooks/{Guid.NewGuid()}/rotate-secret", null), HttpStatusCode.NotFound, "not-found");
        var (_, otherKey) = await Api.CreateTenantAsync();
        await ProblemAssert.IsProblem(await Api.Client(otherKey).PostAsync($"/v1/webhooks/{hook.Webhook.Id}/rotate-secret", null), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task A_receiver_answering_500_is_retried_and_ends_delivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync(n => n == 1 ? 500 : 200);
        var (key, client, hook) = await RegisterAsync(receiver);
        var (studyId, _) = await UploadAsync(key);
        await WaitForJobAsync(client, studyId);

        var delivery = await WaitForDeliveryAsync(client, hook.Webhook.Id, d => d.Status != WebhookDeliveryStatus.Pending);

        Assert.Equal(WebhookDeliveryStatus.Delivered, delivery.Status);
        Assert.Equal(2, delivery.Attempts);
        Assert.Equal(200, delivery.LastStatusCode);
        Assert.Null(delivery.NextAttemptAt);
        Assert.NotNull(delivery.DeliveredAt);
        Assert.Equal(2, receiver.Requests.Count);
        var (first, second) = (receiver.Requests[0], receiver.Requests[1]);
        // The same event, byte for byte, under the same id; the attempt header tells them apart.
        Assert.Equal(first.Body, second.Body);
        Assert.Equal(first.Headers["Emi-Webhook-Id"], second.Headers["Emi-Webhook-Id"]);
        Assert.Equal(["1", "2"], [first.Headers["Emi-Webhook-Attempt"], second.Headers["Emi-Webhook-Attempt"]]);
        Assert.True(second.At - first.At >= TimeSpan.FromSeconds(0.9), $"retried after {(second.At - first.At).TotalSeconds:F2} s, backoff is 1 s");
    }

    [Fact]
    public async Task A_receiver_that_never_answers_2xx_ends_failed_after_the_attempts_with_growing_backoff()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 500);
        var (key, client, hook) = await RegisterAsync(receiver);
        var (studyId, _) = await UploadAsync(key);
        await WaitForJobAsync(client, studyId);

        var delivery = await WaitForDeliveryAsync(client, hook.Webhook.Id, d => d.Status != WebhookDeliveryStatus.Pending);
        // A fourth attempt would have been sent before a later event is.
        await DeliverALaterEventAsync();

        Assert.Equal(WebhookDeliveryStatus.Failed, delivery.Status);
        Assert.Equal(WebhookDeliveryFixture.MaxAttempts, delivery.Attempts);
        Assert.Equal(500, delivery.LastStatusCode);
        Assert.Contains("500", delivery.LastError, StringComparison.Ordinal);
        Assert.Null(delivery.NextAttemptAt);
        Assert.Null(delivery.DeliveredAt);
        var at = receiver.Requests.Select(r => r.At).ToList();
        Assert.Equal(WebhookDeliveryFixture.MaxAttempts, at.Count);
        // Backoff 1 s, then 2 s (InitialBackoff 1 s, multiplier 2).
        Assert.True(at[1] - at[0] >= TimeSpan.FromSeconds(0.9), $"first retry after {(at[1] - at[0]).TotalSeconds:F2} s");
        Assert.True(at[2] - at[1] >= TimeSpan.FromSeconds(1.9), $"second retry after {(at[2] - at[1]).TotalSeconds:F2} s");

        var failed = await client.GetFromJsonAsync<Page<WebhookDeliveryDto>>($"/v1/webhooks/{hook.Webhook.Id}/deliveries?status=failed", Json.Options);
        Assert.Equal(1, failed!.Total);
        var delivered = await client.GetFromJsonAsync<Page<WebhookDeliveryDto>>($"/v1/webhooks/{hook.Webhook.Id}/deliveries?status=delivered", Json.Options);
        Assert.DoesNotContain(delivered!.Items, d => d.EventType.StartsWith("job.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_tenant_whose_receivers_stall_does_not_delay_another_tenants_delivery()
    {
        // Tenant A: ten webhooks on a tarpit, which holds every request until the deliverer's 5 s timeout.
        var stalled = 0;
        var (tarpit, tarpitAddress) = await LoopbackServer.StartAsync(app => app.MapPost("/hook", async (HttpContext context) =>
        {
            Interlocked.Increment(ref stalled);
            await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        }));
        await using var _ = tarpit;
        var (_, keyA) = await Api.CreateTenantAsync("Tarpit lab");
        var tarpitHooks = new List<Guid>();
        for (var i = 0; i < 10; i++)
        {
            var created = await Api.Client(keyA).PostAsJsonAsync("/v1/webhooks", new { url = new Uri(tarpitAddress, $"/hook?{i}").ToString() });
            tarpitHooks.Add((await created.Content.ReadFromJsonAsync<WebhookSecretDto>(Json.Options))!.Webhook.Id);
        }
        await UploadAsync(keyA);
        await Eventually.WaitAsync(() => Volatile.Read(ref stalled) >= 2, TimeSpan.FromMinutes(2), "tenant A's deliveries never reached the tarpit");

        // Tenant B's event, while A's twenty deliveries (a job event and study.completed per webhook) stall.
        await using var receiver = await WebhookReceiver.StartAsync(_ => 204);
        var (keyB, clientB, hook) = await RegisterAsync(receiver);
        await UploadAsync(keyB);
        var delivery = await WaitForDeliveryAsync(clientB, hook.Webhook.Id, d => d.Status == WebhookDeliveryStatus.Delivered);
        var request = Assert.Single(receiver.Requests);

        var waited = request.At - delivery.CreatedAt;
        Assert.True(waited < TimeSpan.FromSeconds(4), $"tenant B's delivery waited {waited.TotalSeconds:F1} s behind tenant A's stalled receivers");

        // The other tests wait for every claimed attempt to settle: A's deliveries go with its webhooks.
        foreach (var id in tarpitHooks)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await Api.Client(keyA).DeleteAsync($"/v1/webhooks/{id}")).StatusCode);
        }
    }

    private async Task<(string Key, HttpClient Client, WebhookSecretDto Hook)> RegisterAsync(WebhookReceiver receiver)
    {
        var (_, key) = await Api.CreateTenantAsync();
        var client = Api.Client(key);
        var response = await client.PostAsJsonAsync("/v1/webhooks", new { url = receiver.Url.ToString(), description = "test receiver" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (key, client, (await response.Content.ReadFromJsonAsync<WebhookSecretDto>(Json.Options))!);
    }

    /// <summary>
    /// Returns once an event that happens now, in another tenant, reached its own receiver and no attempt claimed before
    /// it is still in flight. The deliverer claims due rows oldest first, one at a time; so when this one has arrived and
    /// every earlier claim is recorded, everything the deliverer was going to send for what had settled before this call
    /// has arrived too.
    /// </summary>
    private async Task DeliverALaterEventAsync()
    {
        await using var marker = await WebhookReceiver.StartAsync(_ => 204);
        var (key, client, _) = await RegisterAsync(marker);
        var (studyId, _) = await UploadAsync(key);
        // Cancelled at once, so no scoring is waited for; a worker that was quicker ends it with an event just the same.
        var job = (await client.GetFromJsonAsync<JsonElement>($"/v1/studies/{studyId}/jobs")).GetProperty("items").EnumerateArray().Single();
        using var cancel = await client.PostAsync($"/v1/jobs/{job.GetProperty("id").GetGuid()}/cancel", null);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (marker.Requests.Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the later event was not delivered within 60 s");
            await Task.Delay(50);
        }
        // A claimed attempt's row waits a whole lease (the timeout + 30 s); a retry waits its backoff, seconds here.
        await Eventually.WaitAsync(async () => await Api.Database.ScalarAsync<long>(
            "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at > last_attempt_at + interval '30 seconds'") == 0,
            TimeSpan.FromSeconds(60), "an attempt claimed before the later event was still in flight");
    }

    private async Task<(Guid StudyId, Guid RecordingId)> UploadAsync(string key)
    {
        var client = Api.Client(key);
        var study = await Api.CreateStudyAsync(key);
        var participant = await (await client.PostAsJsonAsync($"/v1/studies/{study.Id}/participants", new { code = "P01" }))
            .Content.ReadFromJsonAsync<ParticipantDto>(Json.Options);
        var upload = await Uploads.PostAsync(client, study.Id, participant!.Id, await TestMedia.WavAsync(), "audio/wav", "?fileName=tone.wav");
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var recording = (await upload.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;
        return (study.Id, recording.Id);
    }

    internal static async Task<JsonElement> WaitForJobAsync(HttpClient client, Guid studyId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var page = await client.GetFromJsonAsync<JsonElement>($"/v1/studies/{studyId}/jobs");
            var job = page.GetProperty("items").EnumerateArray().Single();
            if (job.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled")
            {
                return job;
            }
            Assert.True(DateTime.UtcNow < deadline, "the scoring job did not finish within 2 minutes");
            await Task.Delay(250);
        }
    }

    internal static async Task<WebhookDeliveryDto> WaitForDeliveryAsync(HttpClient client, Guid webhookId, Func<WebhookDeliveryDto, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var page = await client.GetFromJsonAsync<Page<WebhookDeliveryDto>>($"/v1/webhooks/{webhookId}/deliveries", Json.Options);
            var jobEvents = page!.Items.Where(d => d.EventType.StartsWith("job.", StringComparison.Ordinal)).ToList();
            if (jobEvents is [var delivery] && done(delivery))
            {
                return delivery;
            }
            Assert.True(jobEvents.Count <= 1, $"expected one job delivery, found {jobEvents.Count}");
            Assert.True(DateTime.UtcNow < deadline, $"the delivery did not reach the expected state within 60 s: {JsonSerializer.Serialize(page.Items, Json.Options)}");
            await Task.Delay(200);
        }
    }
}
