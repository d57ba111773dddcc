using System.Net;
using System.Net.Http.Json;
using EmiPlatform.Api.Keys;
using EmiPlatform.Api.Participants;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Harness;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>A host allowing 2 open streams per key and 3 per tenant, with a 300 ms event-stream heartbeat.</summary>
public sealed class StreamCappedApi : IAsyncLifetime
{
    public const int PerKey = 2;
    public const int PerTenant = 3;

    public ApiFactory Api { get; } = new()
    {
        Settings =
        {
            ["RateLimits:StreamsPerKey"] = $"{PerKey}",
            ["RateLimits:StreamsPerTenant"] = $"{PerTenant}",
            ["Progress:Heartbeat"] = "00:00:00.300",
        },
    };

    public Task InitializeAsync() => Api.InitializeAsync();

    public async Task DisposeAsync() => await Api.DisposeAsync();
}

/// <summary>
/// Long responses are bulkheads (issue 23): one key, or many keys of one tenant, cannot hold more than their streams
/// (each a pooled database connection or a grain observer), other tenants are untouched, and an event stream stops
/// once its key is revoked or its tenant suspended instead of streaming on from one check at connect.
/// </summary>
public sealed class StreamCapTests(StreamCappedApi host) : IClassFixture<StreamCappedApi>
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    private ApiFactory Api => host.Api;

    [Fact]
    public async Task Open_streams_are_capped_per_key_and_per_tenant_and_a_closed_one_frees_its_slot()
    {
        var (tenant, adminKey) = await Api.CreateTenantAsync();
        var study = await Api.CreateStudyAsync(adminKey);
        var events = $"/v1/studies/{study.Id}/events";
        var a = Api.Client(adminKey);
        var b = Api.Client(await Api.CreateKeyAsync(tenant.Id, "analyst"));

        var a1 = await SseReader.OpenAsync(a, events);
        await using var a2 = await SseReader.OpenAsync(a, events);
        // The key's third stream of any kind: an event stream or a streamed timeline.
        await ProblemAssert.IsProblem(await a.GetAsync(events, HttpCompletionOption.ResponseHeadersRead), HttpStatusCode.TooManyRequests, "too-many-streams");
        var created = await a.PostAsJsonAsync($"/v1/studies/{study.Id}/participants", new { code = "P01" });
        var participant = (await created.Content.ReadFromJsonAsync<ParticipantDto>(Json.Options))!;
        await ProblemAssert.IsProblem(await a.GetAsync($"/v1/studies/{study.Id}/participants/{participant.Id}/timelines",
            HttpCompletionOption.ResponseHeadersRead), HttpStatusCode.TooManyRequests, "too-many-streams");
        // Refused before the endpoint's own lookups, so a refusal costs no query: a recording that does not exist is a 429
        // too, not a 404, and so is a study that does not exist.
        await ProblemAssert.IsProblem(await a.GetAsync($"/v1/recordings/{Guid.NewGuid()}/timeline", HttpCompletionOption.ResponseHeadersRead),
            HttpStatusCode.TooManyRequests, "too-many-streams");
        await ProblemAssert.IsProblem(await a.GetAsync($"/v1/studies/{Guid.NewGuid()}/events", HttpCompletionOption.ResponseHeadersRead),
            HttpStatusCode.TooManyRequests, "too-many-streams");

        // Another key of the tenant has the tenant's last slot, and no more.
        await using var b1 = await SseReader.OpenAsync(b, events);
        var refused = await b.GetAsync(events, HttpCompletionOption.ResponseHeadersRead);
        await ProblemAssert.IsProblem(refused, HttpStatusCode.TooManyRequests, "too-many-streams");
        Assert.NotNull(refused.Headers.RetryAfter);

        // Another tenant is untouched.
        var (_, otherKey) = await Api.CreateTenantAsync("Other lab");
        var otherStudy = await Api.CreateStudyAsync(otherKey);
        await using var other = await SseReader.OpenAsync(Api.Client(otherKey), $"/v1/studies/{otherStudy.Id}/events");

        // Closing a stream gives its slot back once the host sees the connection go.
        await a1.DisposeAsync();
        await Eventually.WaitAsync(async () =>
        {
            using var again = await b.GetAsync(events, HttpCompletionOption.ResponseHeadersRead);
            return again.StatusCode == HttpStatusCode.OK;
        }, Generous, "the closed stream's slot was never given back");
    }

    [Fact]
    public async Task An_event_stream_ends_once_its_key_is_revoked()
    {
        var (tenant, adminKey) = await Api.CreateTenantAsync();
        var study = await Api.CreateStudyAsync(adminKey);
        var analyst = await Api.CreateKeyAsync(tenant.Id, "analyst");
        await using var stream = await SseReader.OpenAsync(Api.Client(analyst), $"/v1/studies/{study.Id}/events");
        using var timeout = new CancellationTokenSource(Generous);
        Assert.Equal("snapshot", (await stream.NextAsync(timeout.Token)).Type);
        Assert.Equal("heartbeat", (await stream.NextAsync(timeout.Token)).Type);

        var keys = await Api.Client(adminKey).GetFromJsonAsync<List<ApiKeyDto>>("/v1/keys", Json.Options);
        var analystKey = keys!.Single(k => k.Name == "analyst key");
        Assert.Equal(HttpStatusCode.NoContent, (await Api.Client(adminKey).PostAsync($"/v1/keys/{analystKey.Id}/revoke", null)).StatusCode);

        await Assert.ThrowsAsync<EndOfStreamException>(async () =>
        {
            while (true)
            {
                await stream.NextAsync(timeout.Token);
            }
        });
    }

    [Fact]
    public async Task An_event_stream_ends_once_its_tenant_is_suspended()
    {
        var (tenant, adminKey) = await Api.CreateTenantAsync();
        var study = await Api.CreateStudyAsync(adminKey);
        await using var stream = await SseReader.OpenAsync(Api.Client(adminKey), $"/v1/studies/{study.Id}/events");
        using var timeout = new CancellationTokenSource(Generous);
        Assert.Equal("snapshot", (await stream.NextAsync(timeout.Token)).Type);

        Assert.Equal(HttpStatusCode.OK, (await Api.Admin().PostAsync($"/v1/admin/tenants/{tenant.Id}/suspend", null)).StatusCode);

        await Assert.ThrowsAsync<EndOfStreamException>(async () =>
        {
            while (true)
            {
                await stream.NextAsync(timeout.Token);
            }
        });
    }
}
