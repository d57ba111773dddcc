using System.Net;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>Per-key request budgets (docs/api.md, "Rate limits") on a host whose budgets are small: see <see cref="RateLimitedApi"/>.</summary>
public sealed class RateLimitTests(RateLimitedApi fixture) : IClassFixture<RateLimitedApi>
{
    private readonly ApiFactory api = fixture.Api;

    [Fact]
    public async Task A_key_over_its_budget_gets_429_with_Retry_After_another_key_is_served_and_the_budget_comes_back()
    {
        var (tenant, spender) = await api.CreateTenantAsync();
        var other = await api.CreateKeyAsync(tenant.Id, "analyst");
        var client = api.Client(spender);

        var (served, refused) = await SpendAsync(client, "/v1/me");
        Assert.InRange(served, RateLimitedApi.RequestBudget, 2 * RateLimitedApi.RequestBudget);
        var retryAfter = await AssertRateLimitedAsync(refused);

        // The same tenant's other key has a budget of its own.
        Assert.Equal(HttpStatusCode.OK, (await api.Client(other).GetAsync("/v1/me")).StatusCode);

        await Task.Delay(retryAfter);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Keys_of_one_tenant_share_the_tenants_budget_and_another_tenant_is_served()
    {
        var (tenant, adminKey) = await api.CreateTenantAsync();
        List<string> keys = [adminKey];
        for (var i = 0; i < 3; i++)
        {
            keys.Add(await api.CreateKeyAsync(tenant.Id, "analyst"));
        }
        await Task.Delay(RateLimitedApi.Period); // what creating the keys spent comes back
        var clients = keys.Select(api.Client).ToList();

        // Four keys taking turns: each stays inside its own budget, the tenant's runs out.
        HttpResponseMessage? refused = null;
        var served = 0;
        for (var i = 0; refused is null && i < 10 * RateLimitedApi.TenantRequestBudget; i++)
        {
            var response = await clients[i % clients.Count].GetAsync("/v1/me");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
                continue;
            }
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            served++;
        }
        Assert.NotNull(refused);
        Assert.InRange(served, RateLimitedApi.TenantRequestBudget, 2 * RateLimitedApi.TenantRequestBudget);
        Assert.True(served / clients.Count < RateLimitedApi.RequestBudget, $"{served} requests over {clients.Count} keys");
        await AssertRateLimitedAsync(refused);

        var (_, otherKey) = await api.CreateTenantAsync("Other lab");
        Assert.Equal(HttpStatusCode.OK, (await api.Client(otherKey).GetAsync("/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Requests_without_a_valid_key_spend_a_budget_of_their_own_not_a_labs()
    {
        var (_, key) = await api.CreateTenantAsync();
        var bogus = api.Client("emi_aaaaaaaaaaaa_" + new string('b', 32));

        var first = await bogus.GetAsync("/v1/me");
        await ProblemAssert.IsProblem(first, HttpStatusCode.Unauthorized, "unauthorized");
        var (served, refused) = await SpendAsync(bogus, "/v1/me", HttpStatusCode.Unauthorized);
        Assert.InRange(served + 1, RateLimitedApi.AnonymousBudget, 2 * RateLimitedApi.AnonymousBudget);
        await AssertRateLimitedAsync(refused);
        // No key at all is the same partition as a wrong one: the address's.
        await ProblemAssert.IsProblem(await api.Client(null).GetAsync("/v1/me"), HttpStatusCode.TooManyRequests, "rate-limited");

        Assert.Equal(HttpStatusCode.OK, (await api.Client(key).GetAsync("/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Exports_have_a_tighter_budget_on_top_of_the_keys()
    {
        var (_, key) = await api.CreateTenantAsync();
        var study = await api.CreateStudyAsync(key);
        var client = api.Client(key);

        for (var i = 0; i < RateLimitedApi.ExportBudget; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/studies/{study.Id}/export")).StatusCode);
        }
        var refused = await client.GetAsync($"/v1/studies/{study.Id}/export?format=aggregate");
        var retryAfter = await AssertRateLimitedAsync(refused, maximum: TimeSpan.FromMinutes(1));
        Assert.True(retryAfter > RateLimitedApi.Period, $"the export budget refills in a minute, Retry-After said {retryAfter}");

        // Ordinary reads of the same key still pass.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/studies/{study.Id}")).StatusCode);
    }

    [Fact]
    public async Task The_platform_admin_has_a_budget_too()
    {
        var (_, key) = await api.CreateTenantAsync();
        var admin = api.Admin();

        var (_, refused) = await SpendAsync(admin, "/v1/admin/tenants");
        var retryAfter = await AssertRateLimitedAsync(refused);
        Assert.Equal(HttpStatusCode.OK, (await api.Client(key).GetAsync("/v1/me")).StatusCode);

        await Task.Delay(retryAfter); // the other tests need the admin
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/v1/admin/tenants")).StatusCode);
    }

    /// <summary>Sends GETs until one is refused; the count answered <paramref name="expected"/> and the refusal.</summary>
    private static async Task<(int Served, HttpResponseMessage Refused)> SpendAsync(HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        for (var served = 0; served < 10 * RateLimitedApi.RequestBudget; served++)
        {
            var response = await client.GetAsync(path);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return (served, response);
            }
            Assert.Equal(expected, response.StatusCode);
        }
        throw new Xunit.Sdk.XunitException($"{path} was never refused in {10 * RateLimitedApi.RequestBudget} requests");
    }

    /// <summary>A 429 rate-limited problem whose Retry-After is whole seconds within the budget's refill time; returns it.</summary>
    private static async Task<TimeSpan> AssertRateLimitedAsync(HttpResponseMessage response, TimeSpan? maximum = null)
    {
        var problem = await ProblemAssert.IsProblem(response, HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.Contains("nothing was done", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), maximum ?? RateLimitedApi.Period);
        return retryAfter.Value;
    }
}
