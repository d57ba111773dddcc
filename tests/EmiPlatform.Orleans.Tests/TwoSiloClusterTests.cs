using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;

namespace EmiPlatform.Orleans.Tests;

/// <summary>
/// Real silos on loopback TCP, clustering and reminders through ADO.NET on our schema, and a client that finds them
/// through the gateway query: the SQL contract as the Orleans runtime uses it, not only as its table classes do.
/// </summary>
public sealed class TwoSiloClusterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task Two_silos_join_one_cluster_and_a_reminder_registered_through_a_grain_fires()
    {
        await using var db = await OrleansDatabase.CreateAsync();
        var clusterId = $"cluster-{Guid.NewGuid():N}";
        var serviceId = $"service-{Guid.NewGuid():N}";
        using var first = Silo(db, clusterId, serviceId);
        using var second = Silo(db, clusterId, serviceId);
        await first.StartAsync();
        await second.StartAsync();

        // Each silo's own view of the cluster, as the membership protocol built it from the table.
        foreach (var silo in new[] { first, second })
        {
            var membership = silo.Services.GetRequiredService<IClusterMembershipService>();
            await Eventually.WaitAsync(() => membership.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active) == 2, Patience, "two active silos", Poll);
        }
        Assert.Equal(2L, await db.ScalarAsync($"SELECT count(*) FROM orleans.membership_silo WHERE cluster_id = '{clusterId}' AND status = 3"));

        using var client = Client(db, clusterId, serviceId);
        await client.StartAsync();
        var probe = client.Services.GetRequiredService<IClusterClient>().GetGrain<IReminderProbeGrain>("probe");
        await probe.Arm(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        Assert.Equal(1L, await db.ScalarAsync($"SELECT count(*) FROM orleans.reminder WHERE service_id = '{serviceId}'"));
        await Eventually.WaitAsync(async () => await probe.Ticks() >= 2, Patience, "two reminder ticks", Poll);

        await probe.Disarm();
        Assert.Equal(0L, await db.ScalarAsync($"SELECT count(*) FROM orleans.reminder WHERE service_id = '{serviceId}'"));

        await client.StopAsync();
        await Task.WhenAll(first.StopAsync(), second.StopAsync());
        // A silo that shuts down cleanly declares itself dead through the versioned update.
        Assert.Equal(2L, await db.ScalarAsync($"SELECT count(*) FROM orleans.membership_silo WHERE cluster_id = '{clusterId}' AND status = 6"));
    }

    private static IHost Silo(OrleansDatabase db, string clusterId, string serviceId) =>
        new HostBuilder()
            .UseOrleans(silo => silo
                .Configure<ClusterOptions>(o => { o.ClusterId = clusterId; o.ServiceId = serviceId; })
                .ConfigureEndpoints(IPAddress.Loopback, FreePort.Next(), FreePort.Next())
                .UseAdoNetClustering(o => { o.Invariant = OrleansDatabase.Invariant; o.ConnectionString = db.Orleans; })
                .UseAdoNetReminderService(o => { o.Invariant = OrleansDatabase.Invariant; o.ConnectionString = db.Orleans; })
                .Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1)))
            .Build();

    private static IHost Client(OrleansDatabase db, string clusterId, string serviceId) =>
        new HostBuilder()
            .UseOrleansClient(client => client
                .Configure<ClusterOptions>(o => { o.ClusterId = clusterId; o.ServiceId = serviceId; })
                .UseAdoNetClustering(o => { o.Invariant = OrleansDatabase.Invariant; o.ConnectionString = db.Orleans; }))
            .Build();
}
