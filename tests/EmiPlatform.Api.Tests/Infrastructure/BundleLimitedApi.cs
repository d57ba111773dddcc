using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests.Infrastructure;

/// <summary>An API host that takes head graphs of at most <see cref="MaxHeadGraphBytes"/> bytes.</summary>
public sealed class BundleLimitedApi : IAsyncLifetime
{
    public const long MaxHeadGraphBytes = 64 * 1024;

    public ApiFactory Api { get; } = new();

    public BundleLimitedApi() => Api.Settings["Scoring:MaxHeadGraphBytes"] = $"{MaxHeadGraphBytes}";

    public Task InitializeAsync() => Api.InitializeAsync();

    public async Task DisposeAsync() => await Api.DisposeAsync();
}
