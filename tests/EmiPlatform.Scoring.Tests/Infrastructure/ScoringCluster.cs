using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using EmiPlatform.Storage;
using EmiPlatform.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EmiPlatform.Scoring.Tests.Infrastructure;

/// <summary>
/// The scale-out topology on the real servers: its own PostgreSQL database, blob container and RabbitMQ queue prefix;
/// the API host in-process (dispatcher on, embedded worker off, RabbitMQ transport) and two worker processes.
/// Leases and retries are shortened so faults resolve in seconds.
/// </summary>
public sealed class ScoringCluster : WebApplicationFactory<Program>, IAsyncLifetime
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(5);

    private TestDatabase _database = null!;
    private readonly string _container = "s" + Guid.NewGuid().ToString("N");
    private readonly string _queuePrefix = $"test-{Guid.NewGuid().ToString("N")[..8]}-";
    private readonly List<WorkerProcess> _workers = [];

    public string AdminKey { get; } = "bootstrap-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    public IReadOnlyList<WorkerProcess> Workers => _workers;

    /// <summary>The superuser on this test's database: sees every tenant's rows, for assertions.</summary>
    public string Superuser => _database.Superuser;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _ = Server; // starts the API host: migrations, container, dispatcher
        StartWorker();
        StartWorker();
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
        ["Scoring:DispatchInterval"] = "00:00:00.500",
        ["Scoring:RedispatchAfter"] = "00:00:08",
        ["Scoring:RetryBackoff"] = "00:00:00.500",
        ["Scoring:MaxAttempts"] = "3",
        ["Inference:IntraOpThreads"] = "1",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in Settings())
        {
            builder.UseSetting(key, value);
        }
        builder.UseSetting("Auth:BootstrapAdminKey", AdminKey);
        builder.UseSetting("Scoring:Worker", "false");
    }

    public WorkerProcess StartWorker()
    {
        var environment = Settings().ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);
        environment["DOTNET_ENVIRONMENT"] = "Production";
        environment["Logging__LogLevel__Default"] = "Information";
        var worker = WorkerProcess.Start(environment);
        _workers.Add(worker);
        return worker;
    }

    /// <summary>Two live workers for the next test, whatever the previous one killed.</summary>
    public void EnsureTwoWorkers()
    {
        foreach (var dead in _workers.Where(w => w.HasExited).ToList())
        {
            _workers.Remove(dead);
            dead.Dispose();
        }
        while (_workers.Count < 2)
        {
            StartWorker();
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
        return new Lab(this, client, Guid.Parse(study["id"]!.GetValue<string>()), Guid.Parse(participant["id"]!.GetValue<string>()));
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
                var logs = string.Join("\n---\n", _workers.Select(w => $"worker {w.Pid}:\n" + Tail(w.Log, 3000)));
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
            foreach (var worker in _workers)
            {
                worker.Dispose();
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
