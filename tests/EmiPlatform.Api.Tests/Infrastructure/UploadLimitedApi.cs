using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests.Infrastructure;

/// <summary>An API host whose tenants may have <see cref="ConcurrentUploads"/> uploads in progress at once.</summary>
public sealed class UploadLimitedApi : IAsyncLifetime
{
    public const int ConcurrentUploads = 2;

    public ApiFactory Api { get; } = new();

    public UploadLimitedApi() => Api.Settings["Coordination:MaxConcurrentUploads"] = $"{ConcurrentUploads}";

    public Task InitializeAsync() => Api.InitializeAsync();

    public async Task DisposeAsync() => await Api.DisposeAsync();
}
