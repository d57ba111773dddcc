using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;

namespace EmiPlatform.Bench;

/// <summary>
/// Which silo process hosts a grain's activation, asked of the cluster's management grain from an Orleans client of
/// the benchmark's own (the API host under test is a process, so its client is out of reach).
/// </summary>
internal sealed class GrainLocator(Platform platform) : IAsyncDisposable
{
    private IHost? _client;

    /// <summary>The live host of the grain <paramref name="grain"/> picks, if it is active anywhere.</summary>
    public async Task<HostProcess?> HostOfAsync(Func<IGrainFactory, IAddressable> grain)
    {
        if (_client is null)
        {
            DbProviderFactories.RegisterFactory("Npgsql", NpgsqlFactory.Instance);
            _client = new HostBuilder().UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (platform.ClusterId, "emi-platform"));
                client.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", platform.Database.Orleans));
            }).Build();
            await _client.StartAsync();
        }
        var grains = _client.Services.GetRequiredService<IClusterClient>();
        var address = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grain(grains));
        return address is null ? null : platform.Hosts.SingleOrDefault(h => h.SiloPort == address.Endpoint.Port && !h.HasExited);
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            try
            {
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _client.StopAsync(stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or OrleansException)
            {
                // the cluster is going away anyway
            }
            _client.Dispose();
        }
    }
}
