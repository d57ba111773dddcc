using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EmiPlatform.Scoring.Tests.Infrastructure;

/// <summary>
/// The cluster topology without scoring: the API host in-process as an Orleans client and two coordinator silos as
/// processes, so that the one hosting a study's grain can be killed and the other takes the grain over. Failure
/// detection is shortened (<see cref="Platform.FastFailureDetection"/>); the sweep has no grace period.
/// </summary>
public sealed class CoordinatorPair : WebApplicationFactory<Program>, IAsyncLifetime
{
    private static readonly TimeSpan SiloPatience = TimeSpan.FromSeconds(90);

    public Platform Platform { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Platform = await Platform.CreateAsync(Topology.Cluster, "test", settings: new Dictionary<string, string>(Platform.FastFailureDetection)
        {
            ["Recordings:SweepGracePeriod"] = "00:00:00",
            ["Recordings:SweepInterval"] = "00:00:00",
            ["Coordination:MaxConcurrentUploads"] = "64",
        });
        Platform.Clients = _ => CreateClient();
        Platform.StartSilo("coordinator"); // it migrates the database before it joins
        await Platform.WaitForActiveSilosAsync(1, SiloPatience);
        Platform.StartSilo("coordinator");
        await Platform.WaitForActiveSilosAsync(2, SiloPatience);
        _ = Server;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in Platform.Settings)
        {
            builder.UseSetting(key, value);
        }
        builder.UseSetting("Auth:BootstrapAdminKey", Platform.AdminKey);
        builder.UseSetting("Orleans:Roles", "client");
    }

    public IBlobStore Blobs => Services.GetRequiredService<IBlobStore>();

    /// <summary>The coordinator process that hosts <paramref name="studyId"/>'s grain now, if it is active.</summary>
    public async Task<HostProcess?> HostOfStudyAsync(Guid studyId)
    {
        var grains = Services.GetRequiredService<IGrainFactory>();
        var address = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grains.GetGrain<IStudyGrain>(studyId));
        return address is null ? null : Platform.Hosts.SingleOrDefault(s => s.SiloPort == address.Endpoint.Port);
    }

    public new async Task DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            await Platform.DisposeAsync();
        }
    }
}
