using System.Globalization;
using System.Security.Cryptography;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EmiPlatform.Cli.Tests.Infrastructure;

/// <summary>
/// The real API host listening on Kestrel (the CLI talks real HTTP to it, Expect: 100-continue included) against a
/// fresh PostgreSQL database and its own Azurite container; checks on dispose that nothing was left orphaned.
/// </summary>
public sealed class ApiHost : WebApplicationFactory<Program>, IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;
    public string AdminKey { get; } = "bootstrap-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
    public string Container { get; } = "c" + Guid.NewGuid().ToString("N");
    public Uri Url { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        UseKestrel(0);
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Url = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Database:AppConnectionString", Database.App);
        builder.UseSetting("Database:AdminConnectionString", Database.Admin);
        builder.UseSetting("Database:MigrationsConnectionString", Database.Owner);
        builder.UseSetting("Auth:BootstrapAdminKey", AdminKey);
        builder.UseSetting("Storage:ConnectionString", TestEnvironment.Require("EMI_AZURITE"));
        builder.UseSetting("Storage:Container", Container);
        builder.UseSetting("Storage:BlockSizeBytes", (256 * 1024).ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Recordings:SweepGracePeriod", "00:00:00");
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            using var scope = Services.CreateScope();
            var report = await scope.ServiceProvider.GetRequiredService<StorageSweep>().RunAsync(remove: false, default);
            Assert.True(report.OrphanBlobs.Count == 0 && report.RowsWithoutBlob.Count == 0,
                $"orphans after the tests: blobs {string.Join(", ", report.OrphanBlobs)}; rows {string.Join(", ", report.RowsWithoutBlob)}");
            await Services.GetRequiredService<IBlobStore>().DeleteContainerAsync();
        }
        finally
        {
            await base.DisposeAsync();
            await Database.DisposeAsync();
        }
    }

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();
}
