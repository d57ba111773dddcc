using System.Net;
using System.Net.Http.Json;
using EmiPlatform.Api.Auth;
using EmiPlatform.Api.Database;
using EmiPlatform.Api.Keys;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Data;
using EmiPlatform.Harness;
using EmiPlatform.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// What a hostile tenant found around the edges (issue 23): the caps that a burst of creates slipped past, the
/// uploader's Content-Type served back to browsers, a page of the host framed or sniffed, and the anonymous readiness
/// probe telling the world where the database is and which role it refused.
/// </summary>
public sealed class HostHardeningTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Concurrent_key_creates_stop_at_the_per_tenant_cap()
    {
        var (tenant, adminKey) = await api.CreateTenantAsync();
        var client = api.Client(adminKey);
        var attempts = ApiKeyIssuer.MaxActivePerTenant + 10;
        var responses = await Task.WhenAll(Enumerable.Range(0, attempts).Select(i =>
            client.PostAsJsonAsync("/v1/keys", new { name = $"k{i}", role = "analyst" })));

        // The tenant already holds its initial admin key.
        Assert.Equal(ApiKeyIssuer.MaxActivePerTenant - 1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created),
            r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        await ProblemAssert.IsProblem(responses.First(r => r.StatusCode != HttpStatusCode.Created), HttpStatusCode.Conflict, "conflict");
        Assert.Equal(ApiKeyIssuer.MaxActivePerTenant, await api.Database.ScalarAsync<long>(
            "SELECT count(*) FROM api_keys WHERE tenant_id = $1 AND revoked_at IS NULL", tenant.Id));

        // The admin API is held to the same cap; revoking one key makes room again.
        await ProblemAssert.IsProblem(await api.Admin().PostAsJsonAsync($"/v1/admin/tenants/{tenant.Id}/keys",
            new { name = "one more", role = "analyst" }), HttpStatusCode.Conflict, "conflict");
        var one = (await responses.First(r => r.StatusCode == HttpStatusCode.Created).Content.ReadFromJsonAsync<CreatedApiKeyDto>(Json.Options))!;
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync($"/v1/keys/{one.Key.Id}/revoke", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/v1/keys", new { name = "again", role = "analyst" })).StatusCode);
    }

    [Fact]
    public async Task Concurrent_webhook_creates_stop_at_the_per_tenant_cap()
    {
        var (tenant, adminKey) = await api.CreateTenantAsync();
        var client = api.Client(adminKey);
        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            client.PostAsJsonAsync("/v1/webhooks", new { url = $"https://93.184.215.14/hooks/{i}" })));

        Assert.Equal(20, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(10, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(20L, await api.Database.ScalarAsync<long>("SELECT count(*) FROM webhooks WHERE tenant_id = $1", tenant.Id));
    }

    [Fact]
    public async Task A_recording_uploaded_as_html_is_served_as_an_attachment_of_bytes()
    {
        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var response = await Uploads.PostAsync(api.Client(key), studyId, participantId, await TestMedia.DistinctWavAsync(23), "text/html",
            "?fileName=evil%20page.html");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var recording = (await response.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;

        using var direct = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = api.Url };
        direct.DefaultRequestHeaders.Authorization = new("Bearer", key);
        var redirect = await direct.GetAsync($"/v1/recordings/{recording.Id}/content");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);

        using var storage = new HttpClient();
        var download = await storage.GetAsync(redirect.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/octet-stream", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(recording.SizeBytes, (await download.Content.ReadAsByteArrayAsync()).LongLength);

        // The player's inline link is typed as bytes too, never as the uploader's HTML.
        var link = await direct.GetFromJsonAsync<ContentLinkDto>($"/v1/recordings/{recording.Id}/content-link", Json.Options);
        var inline = await storage.GetAsync(link!.Url);
        Assert.Equal("application/octet-stream", inline.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_declared_video_type_is_kept_for_the_player()
    {
        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var response = await Uploads.PostAsync(api.Client(key), studyId, participantId, await TestMedia.DistinctWavAsync(29), "audio/wav");
        var recording = (await response.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;
        var link = await api.Client(key).GetFromJsonAsync<ContentLinkDto>($"/v1/recordings/{recording.Id}/content-link", Json.Options);
        using var storage = new HttpClient();
        Assert.Equal("audio/wav", (await storage.GetAsync(link!.Url)).Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/v1/me")]
    [InlineData("/healthz")]
    public async Task Every_response_forbids_framing_sniffing_and_foreign_script(string path)
    {
        var response = await api.Client(null).GetAsync(path);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task Every_connection_runs_with_the_explicit_pool_size_and_statement_timeout()
    {
        var sources = api.Services.GetRequiredService<EmiDataSources>();
        var options = api.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        await using var efApp = new NpgsqlConnection(options.AppConnectionString);
        await using var efAdmin = new NpgsqlConnection(options.AdminConnectionString);
        foreach (var connection in new[] { await sources.App.OpenConnectionAsync(), await sources.Admin.OpenConnectionAsync(), efApp, efAdmin })
        {
            await using var open = connection;
            if (open.State != System.Data.ConnectionState.Open)
            {
                await open.OpenAsync();
            }
            await using var command = new NpgsqlCommand("SHOW statement_timeout", open);
            Assert.Equal("10min", await command.ExecuteScalarAsync());
            Assert.Equal(100, new NpgsqlConnectionStringBuilder(open.ConnectionString).MaxPoolSize);
        }
    }
}
