using System.Net.Http.Headers;
using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Contracts;
using EmiPlatform.Contracts.Transport;
using EmiPlatform.Storage;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EmiPlatform.Scoring.Tests.Infrastructure;

/// <summary>
/// The scale-out topology on the real servers (a harness <see cref="Platform"/>: its own database with its Orleans
/// cluster tables, blob container and RabbitMQ queue prefix): the API host in-process as an Orleans client, one
/// coordinator silo and two scoring silos as processes, clustered through ADO.NET on PostgreSQL. Leases, retries and
/// failure detection are shortened so faults resolve in seconds.
/// </summary>
public sealed class ScoringCluster : WebApplicationFactory<Program>, IAsyncLifetime
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan SiloPatience = TimeSpan.FromSeconds(90);

    private Platform _platform = null!;

    public string AdminKey => _platform.AdminKey;

    /// <summary>The live scoring silos.</summary>
    public IReadOnlyList<HostProcess> Workers => [.. _platform.Hosts.Where(s => s.IsScoring && !s.HasExited)];

    public IReadOnlyList<HostProcess> Silos => _platform.Hosts;

    /// <summary>The superuser on this test's database: sees every tenant's rows, for assertions.</summary>
    public string Superuser => _platform.Superuser;

    public async Task InitializeAsync()
    {
        _platform = await Platform.CreateAsync(Topology.Cluster, "test", settings: new Dictionary<string, string>(Platform.FastFailureDetection)
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Scoring:LeaseDuration"] = Lease.ToString(),
            ["Scoring:HeartbeatInterval"] = "00:00:01",
            ["Scoring:RetryBackoff"] = "00:00:00.500",
            ["Coordination:ReconcileInterval"] = "00:00:01",
            ["Webhooks:AllowPrivateNetworks"] = "true",
            ["Coordination:RedispatchAfter"] = "00:00:08",
            ["Coordination:MaxAttempts"] = "3",
            ["Inference:IntraOpThreads"] = "1",
            ["OpenTelemetry:JobStatesInterval"] = "00:00:00.500",
        });
        // The API host runs in this process; some tests take RabbitMQ down, which may end a silo on its own.
        _platform.Clients = _ => CreateClient();
        _platform.FailOnHostExit = false;
        // The first silo migrates the database (Orleans tables included) before it joins; the API host, an Orleans
        // client, starts once a gateway is listed.
        StartSilo("coordinator");
        await WaitForActiveSilosAsync(1);
        _ = Server;
        StartSilo("scoring");
        StartSilo("scoring");
        await WaitForActiveSilosAsync(3);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _platform.Settings)
        {
            builder.UseSetting(key, value);
        }
        builder.UseSetting("Auth:BootstrapAdminKey", AdminKey);
        builder.UseSetting("Orleans:Roles", "client");
    }

    public HostProcess StartSilo(string roles) => _platform.StartSilo(roles);

    /// <summary>For the next test: one coordinator and two scoring silos alive, whatever the previous test killed.</summary>
    public async Task EnsureSilosAsync()
    {
        _platform.ForgetExited();
        if (!Silos.Any(s => s.IsCoordinator))
        {
            StartSilo("coordinator");
        }
        while (Silos.Count(s => s.IsScoring) < 2)
        {
            StartSilo("scoring");
        }
        await WaitForActiveSilosAsync(Silos.Count);
    }

    /// <summary>Waits until the membership table lists <paramref name="count"/> silos of this cluster as active.</summary>
    public Task WaitForActiveSilosAsync(int count) => _platform.WaitForActiveSilosAsync(count, SiloPatience);

    /// <summary>Waits until the membership table says <paramref name="silo"/> is dead (status 6) or active (status 3).</summary>
    public Task WaitForSiloAsync(HostProcess silo, bool dead) => _platform.WaitForSiloAsync(silo, dead, SiloPatience);

    /// <summary>The study grain of <paramref name="lab"/>, through the in-process host's grain factory.</summary>
    public IStudyGrain StudyGrain(Lab lab) => Services.GetRequiredService<IGrainFactory>().GetGrain<IStudyGrain>(lab.StudyId);

    /// <summary>The silo process that hosts <paramref name="grain"/>'s activation, if any.</summary>
    public async Task<HostProcess?> HostOfAsync(IAddressable grain)
    {
        var address = await Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).GetActivationAddress(grain);
        return address is null ? null : Silos.SingleOrDefault(s => s.SiloPort == address.Endpoint.Port);
    }

    /// <summary>Sends a message to the silos' job queue from a bus of the test's own (the API client host has none).</summary>
    public async Task SendAsync(ScoreRecording message)
    {
        var url = new Uri(ServerSettings.Require("EMI_RABBITMQ"));
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(url.Host, (ushort)url.Port, "/", h =>
        {
            h.Username("guest");
            h.Password("guest");
        }));
        await bus.StartAsync();
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri($"queue:{new MessagingOptions { QueuePrefix = _platform.QueuePrefix }.ScoreQueue}"));
            await endpoint.Send(message);
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    public IBlobStore Blobs => Services.GetRequiredService<IBlobStore>();

    public HttpClient Client(string key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>A new tenant with a study and one participant, and the tenant-admin client.</summary>
    public Task<Lab> CreateLabAsync() => _platform.CreateLabAsync("Scoring lab");

    public Task<T> ScalarAsync<T>(string sql, params object[] values) => _platform.ScalarAsync<T>(sql, values);

    public Task<List<object[]>> RowsAsync(string sql, params object[] values) => _platform.RowsAsync(sql, values);

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> and the silos' log tails.</summary>
    public Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) => _platform.WaitUntilAsync(condition, timeout, what);

    public new async Task DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            await _platform.DisposeAsync();
        }
    }
}
