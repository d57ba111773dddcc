using System.Net;
using System.Net.Http.Json;
using EmiPlatform.Api.Paging;
using EmiPlatform.Api.Participants;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Api.Webhooks;
using EmiPlatform.Data.Entities;
using EmiPlatform.Testing;
using Npgsql;

namespace EmiPlatform.Api.Tests;

/// <summary>Managing webhooks, on a host with the production default: private networks are not allowed.</summary>
public sealed class WebhooksApiTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    // A public address as a literal, so registering it needs no DNS (these machines have no outside network).
    private const string PublicUrl = "https://93.184.215.14/emi/hooks";

    [Fact]
    public async Task A_tenant_admin_registers_a_webhook_whose_secret_is_shown_once()
    {
        var (_, key) = await api.CreateTenantAsync();
        var client = api.Client(key);

        var response = await client.PostAsJsonAsync("/v1/webhooks", new { url = PublicUrl, description = "lab LIMS" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<WebhookSecretDto>(Json.Options))!;
        Assert.Equal($"/v1/webhooks/{created.Webhook.Id}", response.Headers.Location?.OriginalString);
        Assert.StartsWith("whsec_", created.Secret, StringComparison.Ordinal);
        Assert.True(created.Secret.Length >= 32);
        Assert.StartsWith(created.Webhook.SecretPrefix, created.Secret, StringComparison.Ordinal);
        Assert.True(created.Webhook.SecretPrefix.Length < created.Secret.Length / 2);

        var listed = await client.GetStringAsync("/v1/webhooks");
        Assert.DoesNotContain(created.Secret, listed, StringComparison.Ordinal);
        var hooks = (await client.GetFromJsonAsync<List<WebhookDto>>("/v1/webhooks", Json.Options))!;
        var hook = Assert.Single(hooks);
        Assert.Equal((PublicUrl, "lab LIMS"), (hook.Url, hook.Description));
        Assert.DoesNotContain(created.Secret, await client.GetStringAsync($"/v1/webhooks/{hook.Id}"), StringComparison.Ordinal);

        var deliveries = await client.GetFromJsonAsync<Page<WebhookDeliveryDto>>($"/v1/webhooks/{hook.Id}/deliveries", Json.Options);
        Assert.Equal(0, deliveries!.Total);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/webhooks/{hook.Id}")).StatusCode);
        await ProblemAssert.IsProblem(await client.GetAsync($"/v1/webhooks/{hook.Id}"), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblem(await client.DeleteAsync($"/v1/webhooks/{hook.Id}"), HttpStatusCode.NotFound, "not-found");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/relative/path")]
    [InlineData("ftp://93.184.215.14/hook")]
    [InlineData("file:///etc/passwd")]
    [InlineData("https://user:password@93.184.215.14/hook")]
    [InlineData("not a url")]
    public async Task Invalid_urls_are_refused_with_422(string? url)
    {
        var (_, key) = await api.CreateTenantAsync();
        var problem = await ProblemAssert.IsProblem(
            await api.Client(key).PostAsJsonAsync("/v1/webhooks", new { url }), HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("url", out _));
    }

    [Fact]
    public async Task A_url_over_2000_characters_is_refused_with_422()
    {
        var (_, key) = await api.CreateTenantAsync();
        var url = "https://93.184.215.14/" + new string('a', 2001 - "https://93.184.215.14/".Length);
        Assert.Equal(2001, url.Length);
        var problem = await ProblemAssert.IsProblem(
            await api.Client(key).PostAsJsonAsync("/v1/webhooks", new { url }), HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Contains("2000", problem.GetProperty("errors").GetProperty("url")[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://172.20.0.5/hook")]
    [InlineData("http://192.168.1.10/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://100.64.0.1/hook")]
    [InlineData("http://0.0.0.0/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://[fd00::1]/hook")]
    [InlineData("http://[fe80::1]/hook")]
    [InlineData("http://[::ffff:127.0.0.1]/hook")]
    public async Task Private_targets_are_refused_with_422_when_private_networks_are_not_allowed(string url)
    {
        var (_, key) = await api.CreateTenantAsync();
        var problem = await ProblemAssert.IsProblem(
            await api.Client(key).PostAsJsonAsync("/v1/webhooks", new { url }), HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Contains("not allowed", problem.GetProperty("errors").GetProperty("url")[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("analyst")]
    [InlineData("uploader")]
    public async Task Analysts_and_uploaders_cannot_manage_webhooks(string role)
    {
        var (tenant, adminKey) = await api.CreateTenantAsync();
        var hook = await CreateAsync(adminKey);
        var client = api.Client(await api.CreateKeyAsync(tenant.Id, role));

        await ProblemAssert.IsProblem(await client.GetAsync("/v1/webhooks"), HttpStatusCode.Forbidden, "forbidden");
        await ProblemAssert.IsProblem(await client.PostAsJsonAsync("/v1/webhooks", new { url = PublicUrl }), HttpStatusCode.Forbidden, "forbidden");
        await ProblemAssert.IsProblem(await client.GetAsync($"/v1/webhooks/{hook.Webhook.Id}"), HttpStatusCode.Forbidden, "forbidden");
        await ProblemAssert.IsProblem(await client.DeleteAsync($"/v1/webhooks/{hook.Webhook.Id}"), HttpStatusCode.Forbidden, "forbidden");
        await ProblemAssert.IsProblem(await client.GetAsync($"/v1/webhooks/{hook.Webhook.Id}/deliveries"), HttpStatusCode.Forbidden, "forbidden");
        await ProblemAssert.IsProblem(await api.Client(null).GetAsync("/v1/webhooks"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Another_tenants_webhook_is_not_found()
    {
        var (_, ownerKey) = await api.CreateTenantAsync("Owner lab");
        var (_, otherKey) = await api.CreateTenantAsync("Other lab");
        var hook = await CreateAsync(ownerKey);
        var other = api.Client(otherKey);

        await ProblemAssert.IsProblem(await other.GetAsync($"/v1/webhooks/{hook.Webhook.Id}"), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblem(await other.GetAsync($"/v1/webhooks/{hook.Webhook.Id}/deliveries"), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblem(await other.DeleteAsync($"/v1/webhooks/{hook.Webhook.Id}"), HttpStatusCode.NotFound, "not-found");
        Assert.Empty((await other.GetFromJsonAsync<List<WebhookDto>>("/v1/webhooks", Json.Options))!);
        // Still there for its owner.
        Assert.Equal(HttpStatusCode.OK, (await api.Client(ownerKey).GetAsync($"/v1/webhooks/{hook.Webhook.Id}")).StatusCode);
    }

    [Fact]
    public async Task The_deliverer_refuses_a_target_that_resolves_to_a_private_address_at_delivery_time()
    {
        // A URL that passed registration can point somewhere else by the time it is called (DNS rebinding). Simulated
        // by writing the row directly with a loopback target: the deliverer must check again and never connect.
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        var (tenant, key) = await api.CreateTenantAsync();
        var client = api.Client(key);
        var hook = await CreateAsync(key);
        await using (var connection = new NpgsqlConnection(api.Database.Admin))
        {
            await connection.OpenAsync();
            await using var update = new NpgsqlCommand("UPDATE webhooks SET url = @url WHERE id = @id AND tenant_id = @t", connection);
            update.Parameters.AddWithValue("url", receiver.Url.ToString());
            update.Parameters.AddWithValue("id", hook.Webhook.Id);
            update.Parameters.AddWithValue("t", tenant.Id);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        var study = await api.CreateStudyAsync(key);
        var participant = await (await client.PostAsJsonAsync($"/v1/studies/{study.Id}/participants", new { code = "P01" }))
            .Content.ReadFromJsonAsync<ParticipantDto>(Json.Options);
        var upload = await Uploads.PostAsync(client, study.Id, participant!.Id, await TestMedia.WavAsync(), "audio/wav", "?fileName=tone.wav");
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        await WebhookDeliveryTests.WaitForJobAsync(client, study.Id);

        var delivery = await WebhookDeliveryTests.WaitForDeliveryAsync(client, hook.Webhook.Id, d => d.Attempts >= 1 && d.LastError is not null);
        Assert.Equal(WebhookDeliveryStatus.Pending, delivery.Status); // retried later with backoff, checked again each time
        Assert.Null(delivery.LastStatusCode);
        Assert.Contains("loopback", delivery.LastError, StringComparison.Ordinal);
        Assert.NotNull(delivery.NextAttemptAt);
        Assert.Empty(receiver.Requests);
    }

    private async Task<WebhookSecretDto> CreateAsync(string key)
    {
        var response = await api.Client(key).PostAsJsonAsync("/v1/webhooks", new { url = PublicUrl });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<WebhookSecretDto>(Json.Options))!;
    }
}
