using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Messaging;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;

namespace EmiPlatform.Orleans.Tests;

/// <summary>
/// Orleans's own ADO.NET provider implementations, configured as a silo configures them (invariant "Npgsql", the
/// emi_orleans connection string with Search Path=orleans) and initialised, so the tests drive the real providers.
/// </summary>
public static class Providers
{
    public static async Task<IMembershipTable> MembershipTableAsync(OrleansDatabase db, string clusterId)
    {
        var table = new AdoNetClusteringTable(
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new ClusterOptions { ClusterId = clusterId }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = OrleansDatabase.Invariant, ConnectionString = db.Orleans }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true, CancellationToken.None);
        return table;
    }

    public static async Task<IGatewayListProvider> GatewayListProviderAsync(OrleansDatabase db, string clusterId)
    {
        var provider = new AdoNetGatewayListProvider(
            NullLogger<AdoNetGatewayListProvider>.Instance,
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new AdoNetClusteringClientOptions { Invariant = OrleansDatabase.Invariant, ConnectionString = db.Orleans }),
            Options.Create(new GatewayOptions()),
            Options.Create(new ClusterOptions { ClusterId = clusterId }));
        await provider.InitializeGatewayListProvider();
        return provider;
    }

    /// <summary>The reminder table class is internal to Orleans.Reminders.AdoNet: take it from the container its own registration fills.</summary>
    public static async Task<IReminderTable> ReminderTableAsync(OrleansDatabase db, string serviceId)
    {
        var services = new ServiceCollection();
        services.Configure<ClusterOptions>(o => { o.ClusterId = "reminder-tests"; o.ServiceId = serviceId; });
        services.UseAdoNetReminderService(o => o.Configure(options =>
        {
            options.Invariant = OrleansDatabase.Invariant;
            options.ConnectionString = db.Orleans;
        }));
        var table = services.BuildServiceProvider().GetRequiredService<IReminderTable>();
        await table.StartAsync(CancellationToken.None);
        return table;
    }
}
