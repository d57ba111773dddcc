using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Azure.Storage.Blobs.Models;
using EmiPlatform.Api.Keys;
using EmiPlatform.Api.Storage;
using EmiPlatform.Api.Studies;
using EmiPlatform.Api.Tenants;
using EmiPlatform.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EmiPlatform.Testing;

/// <summary>
/// The real API host on Kestrel (so request-size limits are real) against its own fresh PostgreSQL database.
/// One per test class; each test creates its own tenants, so tests never depend on each other's data.
/// </summary>
public sealed class ApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public PlatformDatabase Database { get; private set; } = null!;
    public string AdminKey { get; } = "bootstrap-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    /// <summary>Each factory has its own blob container, so "nothing orphaned" can be checked per test class.</summary>
    public string Container { get; } = "t" + Guid.NewGuid().ToString("N");

    public const long MaxUploadBytes = 8 * 1024 * 1024;

    public async Task InitializeAsync()
    {
        Database = await PlatformDatabase.CreateAsync(server: Postgres);
        UseKestrel(0);
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Url = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    /// <summary>Where the host listens, for clients that are not this factory's (the CLI, a browser).</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>The PostgreSQL server of this host's database (set before <see cref="InitializeAsync"/>); default the shared one.</summary>
    public PgServer? Postgres { get; init; }

    /// <summary>Set (before <see cref="InitializeAsync"/>) to keep everything the host logs, every category from Debug up.</summary>
    public CapturedLogs? Logs { get; init; }

    /// <summary>Extra configuration for this host (set before <see cref="InitializeAsync"/>), e.g. a test class's shorter timings.</summary>
    public Dictionary<string, string> Settings { get; } = [];

    /// <summary>Services this host adds to its own (set before <see cref="InitializeAsync"/>), e.g. an in-memory telemetry exporter.</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Database:AppConnectionString", Database.App);
        builder.UseSetting("Database:AdminConnectionString", Database.Admin);
        builder.UseSetting("Database:MigrationsConnectionString", Database.Owner);
        builder.UseSetting("Auth:BootstrapAdminKey", AdminKey);
        builder.UseSetting("Storage:ConnectionString", ServerSettings.Require("EMI_AZURITE"));
        builder.UseSetting("Storage:Container", Container);
        builder.UseSetting("Storage:BlockSizeBytes", (256 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Recordings:MaxUploadBytes", MaxUploadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Recordings:SweepGracePeriod", "00:00:00");
        // With no grace period a timed sweep would take uploads in flight for orphans; the sweep tests start their own.
        builder.UseSetting("Recordings:SweepInterval", "00:00:00");
        // Test classes run side by side, each with its own embedded silo.
        builder.UseSetting("Orleans:SiloPort", "0");
        // Tests that race 50 uploads of one tenant test what the race leaves behind, not the tenant's limit on uploads
        // in progress (8 by default); ConcurrentUploadLimitTests sets a small one of its own.
        builder.UseSetting("Coordination:MaxConcurrentUploads", "64");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        if (Logs is { } logs)
        {
            // A rule for this provider alone outranks appsettings' category levels, so the console stays as it was.
            builder.ConfigureLogging(logging => logging.AddProvider(logs).AddFilter<CapturedLogs>(null, LogLevel.Debug));
        }
        if (TestServices is { } services)
        {
            builder.ConfigureServices(services);
        }
    }

    public HttpClient Client(string? key)
    {
        var client = CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return client;
    }

    public HttpClient Admin() => Client(AdminKey);

    /// <summary>A new tenant and its tenant-admin key, made through the admin API.</summary>
    public async Task<(TenantDto Tenant, string AdminKey)> CreateTenantAsync(string name = "Lab")
    {
        var response = await Admin().PostAsJsonAsync("/v1/admin/tenants", new { name });
        response.EnsureSuccessStatusCode();
        var created = (await response.Content.ReadFromJsonAsync<TenantCreatedDto>(Json.Options))!;
        return (created.Tenant, created.AdminKey.Secret);
    }

    public async Task<string> CreateKeyAsync(Guid tenantId, string role)
    {
        var response = await Admin().PostAsJsonAsync($"/v1/admin/tenants/{tenantId}/keys", new { name = role + " key", role });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CreatedApiKeyDto>(Json.Options))!.Secret;
    }

    public async Task<StudyDto> CreateStudyAsync(string key, string name = "Mimicry pilot")
    {
        var response = await Client(key).PostAsJsonAsync("/v1/studies", new { name });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<StudyDto>(Json.Options))!;
    }

    public IBlobStore Blobs => Services.GetRequiredService<IBlobStore>();

    /// <summary>
    /// Recording and staging blob names under a prefix, straight from storage. Feature-cache entries are left out: a
    /// scoring job may write them at any moment after an upload (tests/EmiPlatform.Api.Tests/FeatureCacheTests.cs
    /// counts those, and the sweep in <see cref="DisposeAsync"/> holds every blob to a row).
    /// </summary>
    public async Task<List<string>> BlobNamesAsync(string prefix = "")
    {
        var names = new List<string>();
        await foreach (var blob in Blobs.Container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }))
        {
            if (!blob.Name.Contains(FeatureCacheBlobs.Suffix, StringComparison.Ordinal))
            {
                names.Add(blob.Name);
            }
        }
        return names;
    }

    /// <summary>Whatever a test class did, it must leave no blob without a row and no row without a blob.</summary>
    public override async ValueTask DisposeAsync()
    {
        try
        {
            using var scope = Services.CreateScope();
            var report = await scope.ServiceProvider.GetRequiredService<StorageSweep>().RunAsync(remove: false, eraseLostRows: false, default);
            Assert.True(report.OrphanBlobs.Count == 0 && report.RowsWithoutBlob.Count == 0,
                $"orphans after the tests: blobs {string.Join(", ", report.OrphanBlobs)}; rows {string.Join(", ", report.RowsWithoutBlob)}");
            await Blobs.DeleteContainerAsync();
        }
        finally
        {
            await base.DisposeAsync();
            await Database.DisposeAsync();
        }
    }

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();
}
