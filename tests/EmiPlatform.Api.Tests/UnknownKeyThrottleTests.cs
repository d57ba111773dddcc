using System.Net;
using EmiPlatform.Api.Auth;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>A host that allows 3 unknown keys per address an hour, and keeps every database command it logs.</summary>
public sealed class UnknownKeyLimitedApi : IAsyncLifetime
{
    public const int UnknownKeyBudget = 3;

    public CapturedLogs Logs { get; } = new();

    public ApiFactory Api { get; }

    public UnknownKeyLimitedApi() => Api = new ApiFactory
    {
        Logs = Logs,
        Settings =
        {
            ["RateLimits:UnknownKeys:TokenLimit"] = $"{UnknownKeyBudget}",
            ["RateLimits:UnknownKeys:TokensPerPeriod"] = "1",
            ["RateLimits:UnknownKeys:Period"] = "01:00:00",
        },
    };

    public Task InitializeAsync() => Api.InitializeAsync();

    public async Task DisposeAsync() => await Api.DisposeAsync();
}

/// <summary>Made-up but well-formed keys stop costing key lookups once their address has spent its budget (issue 23).</summary>
public sealed class UnknownKeyThrottleTests(UnknownKeyLimitedApi host) : IClassFixture<UnknownKeyLimitedApi>
{
    [Fact]
    public async Task A_flood_of_made_up_keys_costs_only_the_budgets_lookups()
    {
        int Lookups() => host.Logs.Entries.Count(line =>
            line.Contains("Executed DbCommand", StringComparison.Ordinal) && line.Contains("api_keys", StringComparison.Ordinal));
        var before = Lookups();

        for (var i = 0; i < 12; i++)
        {
            var response = await host.Api.Client(ApiKeyFormat.Generate().Key).GetAsync("/v1/me");
            Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests, $"got {(int)response.StatusCode}");
        }

        Assert.Equal(UnknownKeyLimitedApi.UnknownKeyBudget, Lookups() - before);
    }
}
