using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests.Infrastructure;

/// <summary>An API host with request budgets small enough for a test to spend: per key 10 requests per 3 s, without a key 5 per 3 s, 2 exports a minute.</summary>
public sealed class RateLimitedApi : IAsyncLifetime
{
    public const int RequestBudget = 10;
    public const int TenantRequestBudget = 25;
    public const int AnonymousBudget = 5;
    public const int ExportBudget = 2;
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(3);

    public ApiFactory Api { get; } = new();

    public RateLimitedApi()
    {
        var settings = Api.Settings;
        settings["RateLimits:Requests:TokenLimit"] = $"{RequestBudget}";
        settings["RateLimits:Requests:TokensPerPeriod"] = $"{RequestBudget}";
        settings["RateLimits:Requests:Period"] = $"{Period:c}";
        settings["RateLimits:TenantRequests:TokenLimit"] = $"{TenantRequestBudget}";
        settings["RateLimits:TenantRequests:TokensPerPeriod"] = $"{TenantRequestBudget}";
        settings["RateLimits:TenantRequests:Period"] = $"{Period:c}";
        settings["RateLimits:Anonymous:TokenLimit"] = $"{AnonymousBudget}";
        settings["RateLimits:Anonymous:TokensPerPeriod"] = $"{AnonymousBudget}";
        settings["RateLimits:Anonymous:Period"] = $"{Period:c}";
        settings["RateLimits:Exports:TokenLimit"] = $"{ExportBudget}";
        settings["RateLimits:Exports:TokensPerPeriod"] = $"{ExportBudget}";
        settings["RateLimits:Exports:Period"] = "00:01:00";
    }

    public Task InitializeAsync() => Api.InitializeAsync();

    public async Task DisposeAsync() => await Api.DisposeAsync();
}
