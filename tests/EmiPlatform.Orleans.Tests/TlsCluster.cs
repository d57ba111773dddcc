using System.Net;
using System.Security.Cryptography.X509Certificates;
using EmiPlatform.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;

namespace EmiPlatform.Orleans.Tests;

/// <summary>
/// Two silos on loopback that speak only mutual TLS with one cluster certificate, loaded from a .pfx file as a host
/// loads it; shared by the tests of who may and may not join them.
/// </summary>
public sealed class TlsCluster : IAsyncLifetime
{
    private OrleansDatabase? _db;
    private readonly List<IHost> _silos = [];
    private string? _pfx;

    public string ClusterId { get; } = $"cluster-{Guid.NewGuid():N}";
    public string ServiceId { get; } = $"service-{Guid.NewGuid():N}";
    public X509Certificate2 Certificate { get; private set; } = null!;
    public OrleansDatabase Db => _db!;

    public async Task InitializeAsync()
    {
        _db = await OrleansDatabase.CreateAsync();
        using (var made = TestCertificates.SelfSigned("emi-cluster"))
        {
            _pfx = TestCertificates.Pfx(made);
        }
        Certificate = ClusterCertificate.Load(_pfx, TestCertificates.Password);
        for (var i = 0; i < 2; i++)
        {
            var silo = new HostBuilder()
                .UseOrleans(silo => silo
                    .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterId, ServiceId))
                    .ConfigureEndpoints(IPAddress.Loopback, FreePort.Next(), FreePort.Next())
                    .UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = (OrleansDatabase.Invariant, Db.Orleans))
                    .UseClusterTls(Certificate))
                .Build();
            _silos.Add(silo);
            await silo.StartAsync();
        }
        // Each silo saw the other answer over the silo port before it counted it active.
        foreach (var silo in _silos)
        {
            var membership = silo.Services.GetRequiredService<IClusterMembershipService>();
            await Eventually.WaitAsync(() => membership.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active) == 2,
                TimeSpan.FromSeconds(60), "two active silos", TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>An Orleans client of this cluster, as <paramref name="configure"/> sets up its transport.</summary>
    public IHost Client(Action<IClientBuilder> configure) =>
        new HostBuilder()
            .UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterId, ServiceId));
                client.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = (OrleansDatabase.Invariant, Db.Orleans));
                configure(client);
            })
            .Build();

    public async Task DisposeAsync()
    {
        await Task.WhenAll(_silos.Select(s => s.StopAsync()));
        foreach (var silo in _silos)
        {
            silo.Dispose();
        }
        Certificate?.Dispose();
        if (_pfx is not null)
        {
            File.Delete(_pfx);
        }
        if (_db is not null)
        {
            await _db.DisposeAsync();
        }
    }
}
