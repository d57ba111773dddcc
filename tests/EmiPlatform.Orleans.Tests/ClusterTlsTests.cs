using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using EmiPlatform.Hosting;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;

namespace EmiPlatform.Orleans.Tests;

/// <summary>
/// The silo and gateway ports under <c>Orleans:Tls</c>: a member presenting the cluster certificate calls grains on
/// every silo; a client speaking plain Orleans, presenting another certificate, or presenting none is refused.
/// </summary>
public sealed class ClusterTlsTests(TlsCluster cluster) : IClassFixture<TlsCluster>
{
    [Fact]
    public async Task A_client_with_the_cluster_certificate_reaches_grains_across_both_silos()
    {
        using var client = cluster.Client(c => c.UseClusterTls(cluster.Certificate));
        await client.StartAsync();
        var management = client.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);

        var silos = (await management.GetHosts(onlyActive: true)).Keys.ToArray();
        Assert.Equal(2, silos.Length);
        // The management grain lives on one silo and asks each silo for its statistics: at least one answer crosses
        // the silo port between them.
        var statistics = await management.GetRuntimeStatistics(silos);
        Assert.Equal(2, statistics.Length);
        await client.StopAsync();
    }

    [Fact]
    public async Task A_client_speaking_plain_orleans_with_another_certificate_or_with_none_cannot_connect()
    {
        using var other = TestCertificates.SelfSigned("emi-cluster");
        // Orleans's client tries each gateway for minutes before it gives up: the three try side by side.
        await Task.WhenAll(
            AssertRefused(cluster.Client(_ => { })),
            AssertRefused(cluster.Client(c => c.UseClusterTls(other))),
            // Trusting the silos is not enough: the gateway demands the cluster certificate of its clients too.
            AssertRefused(cluster.Client(c => c.UseTls(tls =>
            {
                tls.LocalCertificate = null;
                tls.AllowAnyRemoteCertificate();
            }))));
    }

    private static async Task AssertRefused(IHost client)
    {
        using (client)
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => client.StartAsync());
            Assert.Contains("gateway", error.ToString(), StringComparison.OrdinalIgnoreCase);
        }
    }
}
