using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using EmiPlatform.Contracts;
using EmiPlatform.Contracts.Transport;
using EmiPlatform.Storage;
using MassTransit;
using EmiPlatform.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EmiPlatform.Scoring.Tests.Infrastructure;

/// <summary>
/// The scale-out topology on the real servers: its own PostgreSQL database (with its Orleans cluster tables), blob
/// container and RabbitMQ queue prefix; the API host in-process as an Orleans client, one coordinator silo and two
/// scoring silos as processes, clustered through ADO.NET on PostgreSQL. Leases, retries and failure detection are
/// shortened so faults resolve in seconds.
/// </summary>
public sealed class ScoringCluster : WebApplicationFactory<Program>, IAsyncLifetime
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(5);

    private TestDatabase _database = null!;
    private readonly string _container = "s" + Guid.NewGuid().ToString("N");
    private readonly string _queuePrefix = $"test-{Guid.NewGuid().ToString("N")[..8]}-";
    private readonly string _clusterId = "test-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<SiloProcess> _silos = [];

    public string AdminKey { get; } = "bootstrap-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    /// <summary>The live scoring silos.</summary>
    public IReadOnlyList<SiloProcess> Workers => [.. _silos.Where(s => s.IsScoring && !s.HasExited)];

    public IReadOnlyList<SiloProcess> Silos => _silos;

    /// <summary>The superuser on this test's database: sees every tenant's rows, for assertions.</summary>
    public string Superuser => _database.Superuser;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        // The first silo migrates the database (Orleans tables included) before it joins; the API host, an Orleans
        // client, starts once a gateway is listed.
        StartSilo("coordinator");
        await WaitForActiveSilosAsync(1);
        _ = Server;
        StartSilo("scoring");
        StartSilo("scoring");
        await WaitForActiveSilosAsync(3);
    }

    private Dictionary<string, string> Settings() => new()
    {
        ["Database:AppConnectionString"] = _database.App,
        ["Database:AdminConnectionString"] = _database.Admin,
        ["Database:MigrationsConnectionString"] = _database.Owner,
        ["Storage:ConnectionString"] = TestEnvironment.Require("EMI_AZURITE"),
        ["Storage:Container"] = _container,
        ["Messaging:Transport"] = "RabbitMq",
        ["Messaging:RabbitMqUrl"] = TestEnvironment.Require("EMI_RABBITMQ"),
        ["Messaging:QueuePrefix"] = _queuePrefix,
        ["Scoring:DefaultBundle"] = Path.Combine(RepoPaths.Root, "models", "reference-tiny"),
        ["Scoring:Concurrency"] = "1",
        ["Scoring:LeaseDuration"] = Lease.ToString(),
        ["Scoring:HeartbeatInterval"] = "00:00:01",
        ["Scoring:RetryBackoff"] = "00:00:00.500",
        ["Coordination:ReconcileInterval"] = "00:00:01",
        ["Webhooks:AllowPrivateNetworks"] = "true",
        ["Coordination:RedispatchAfter"] = "00:00:08",
        ["Coordination:MaxAttempts"] = "3",
        ["Orleans:Mode"] = "Cluster",
        ["Orleans:ClusterId"] = _clusterId,
        ["Orleans:ClusteringConnectionString"] = new NpgsqlConnectionStringBuilder(TestEnvironment.Require("EMI_PG_ORLEANS")) { Database = _database.Name }.ConnectionString,
        // A killed silo is declared dead within seconds: probes every second, two missed, one vote.
        ["Orleans:Membership:ProbeTimeout"] = "00:00:01",
        ["Orleans:Membership:NumMissedProbesLimit"] = "2",
        ["Orleans:Membership:NumVotesForDeathDeclaration"] = "1",
        ["Orleans:Membership:TableRefreshTimeout"] = "00:00:02",
        ["Orleans:Membership:IAmAliveTablePublishTimeout"] = "00:00:05",
        ["Orleans:Gateway:GatewayListRefreshPeriod"] = "00:00:02",
        ["Inference:IntraOpThreads"] = "1",
        ["OpenTelemetry:JobStatesInterval"] = "00:00:00.500",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in Settings())
        {
            builder.UseSetting(key, value);
        }
        builder.UseSetting("Auth:BootstrapAdminKey", AdminKey);
        builder.UseSetting("Orleans:Roles", "client");
    }

    public SiloProcess StartSilo(string roles)
    {
        var environment = Settings().ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);
        environment["DOTNET_ENVIRONMENT"] = "Production";
        environment["Logging__LogLevel__Default"] = "Information";
        var silo = SiloProcess.Start(roles, environment);
        _silos.Add(silo);
        return silo;
    }

    /// <summary>For the next test: one coordinator and two scoring silos alive, whatever the previous test killed.</summary>
    public async Task EnsureSilosAsync()
    {
        foreach (var dead in _silos.Where(s => s.HasExited).ToList())
        {
            _silos.Remove(dead);
            dead.Dispose();
        }
        if (!_silos.Any(s => s.IsCoordinator))
        {
            StartSilo("coordinator");
        }
        while (_silos.Count(s => s.IsScoring) < 2)
        {
            StartSilo("scoring");
        }
        await WaitForActiveSilosAsync(_silos.Count);
    }

    /// <summary>Waits until the membership table lists <paramref name="count"/> silos of this cluster as active.</summary>
    public Task WaitForActiveSilosAsync(int count) => WaitUntilAsync(async () =>
    {
        try
        {
            return await ScalarAsync<long>("SELECT count(*) FROM orleans.membership_silo WHERE cluster_id = $1 AND status = 3", _clusterId) >= count;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return false; // the first silo has not migrated the database yet
        }
    }, TimeSpan.FromSeconds(90), $"{count} active silo(s)");

    /// <summary>Waits until the membership table says <paramref name="silo"/> is dead (status 6) or active (status 3).</summary>
    public Task WaitForSiloAsync(SiloProcess silo, bool dead) => WaitUntilAsync(
        async () => await ScalarAsync<long>("SELECT count(*) FROM orleans.membership_silo WHERE cluster_id = $1 AND port = $2 AND status = $3",
            _clusterId, silo.SiloPort, dead ? 6 : 3) == 1,
        TimeSpan.FromSeconds(90), $"the {silo.Roles} silo on port {silo.SiloPort} to be {(dead ? "declared dead" : "active")}");

    /// <summary>The silo process that hosts <paramref name="grain"/>'s activation, if any.</summary>
    public async Task<SiloProcess?> HostOfAsync(IAddressable grain)
    {
        var address = await Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).GetActivationAddress(grain);
        return address is null ? null : _silos.SingleOrDefault(s => s.SiloPort == address.Endpoint.Port);
    }

    /// <summary>Sends a message to the silos' job queue from a bus of the test's own (the API client host has none).</summary>
    public async Task SendAsync(ScoreRecording message)
    {
        var url = new Uri(TestEnvironment.Require("EMI_RABBITMQ"));
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(url.Host, (ushort)url.Port, "/", h =>
        {
            h.Username("guest");
            h.Password("guest");
        }));
        await bus.StartAsync();
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri($"queue:{new MessagingOptions { QueuePrefix = _queuePrefix }.ScoreQueue}"));
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

    /// <summary>A new tenant with a study and one participant; returns the tenant-admin key and ids.</summary>
    public async Task<Lab> CreateLabAsync()
    {
        var created = await PostAsync(Client(AdminKey), "/v1/admin/tenants", new { name = "Scoring lab" });
        var key = created["adminKey"]!["secret"]!.GetValue<string>();
        var client = Client(key);
        var study = await PostAsync(client, "/v1/studies", new { name = "Scoring study" });
        var participant = await PostAsync(client, $"/v1/studies/{study["id"]}/participants", new { code = "P01" });
        return new Lab(this, client, Guid.Parse(created["tenant"]!["id"]!.GetValue<string>()),
            Guid.Parse(study["id"]!.GetValue<string>()), Guid.Parse(participant["id"]!.GetValue<string>()));
    }

    private static async Task<JsonNode> PostAsync(HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    public async Task<T> ScalarAsync<T>(string sql, params object[] values)
    {
        await using var connection = new NpgsqlConnection(Superuser);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task<List<object[]>> RowsAsync(string sql, params object[] values)
    {
        await using var connection = new NpgsqlConnection(Superuser);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object[]>();
        while (await reader.ReadAsync())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> and the workers' logs' tails.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                var logs = string.Join("\n---\n", _silos.Select(w => $"{w.Roles} silo {w.Pid}:\n" + Tail(w.Log, 3000)));
                Assert.Fail($"Timed out after {timeout.TotalSeconds:F0} s waiting for {what}.\n{logs}");
            }
            await Task.Delay(100);
        }
    }

    private static string Tail(string text, int chars) => text.Length <= chars ? text : text[^chars..];

    public new async Task DisposeAsync()
    {
        try
        {
            foreach (var silo in _silos)
            {
                silo.Dispose();
            }
            await Blobs.DeleteContainerAsync();
        }
        finally
        {
            await base.DisposeAsync();
            await _database.DisposeAsync();
        }
    }
}
