using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;

namespace EmiPlatform.Bench;

/// <summary>
/// One platform deployment for a benchmark, every host the built binary in a process of its own, on a fresh database
/// (its Orleans tables included), blob container, RabbitMQ queue prefix and cluster id, all removed on dispose.
/// <see cref="Topology.Cluster"/>: the API host as an Orleans client, silos started with <see cref="StartSilo"/>,
/// RabbitMQ between them. <see cref="Topology.Embedded"/>: one API process that is its own silo (coordinator and
/// scoring roles, in-memory transport), as <c>make demo</c> runs it.
/// </summary>
internal sealed class BenchPlatform : IAsyncDisposable
{
    private readonly string _root;
    private readonly string _database = $"emi_bench_{Guid.NewGuid():N}";
    private readonly string _container = "bench" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _clusterId = "bench-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _adminKey = "bench-admin-" + Guid.NewGuid().ToString("N");
    private readonly Dictionary<string, string> _settings;
    private readonly List<HostProcess> _hosts = [];
    private IHost? _client;

    private BenchPlatform(string root, Topology topology, Dictionary<string, string> settings)
    {
        _root = root;
        Topology = topology;
        _settings = settings;
    }

    public Topology Topology { get; }

    public HostProcess? Api { get; private set; }

    public IReadOnlyList<HostProcess> Hosts => _hosts;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>The superuser on this run's database: sees every tenant's rows.</summary>
    public string Superuser => WithDatabase(Require("EMI_PG"));

    /// <summary>
    /// Creates the database; <paramref name="settings"/> (configuration keys with ':') go to every host on top of the
    /// common ones: <c>Scoring:Concurrency</c> 1 (one pipeline per scoring silo), the default bundle, and for the cluster
    /// the Orleans settings.
    /// </summary>
    public static async Task<BenchPlatform> CreateAsync(string root, string bundle, Topology topology, IReadOnlyDictionary<string, string>? settings = null)
    {
        var platform = new BenchPlatform(root, topology, []);
        await ExecuteAsync(Require("EMI_PG"), $"CREATE DATABASE {platform._database} OWNER emi_owner");
        var s = platform._settings;
        s["Database:AppConnectionString"] = platform.WithDatabase(Require("EMI_PG_APP"));
        s["Database:AdminConnectionString"] = platform.WithDatabase(Require("EMI_PG_ADMIN"));
        s["Database:MigrationsConnectionString"] = platform.WithDatabase(Require("EMI_PG_OWNER"));
        s["Storage:ConnectionString"] = Require("EMI_AZURITE");
        s["Storage:Container"] = platform._container;
        s["Scoring:DefaultBundle"] = bundle;
        s["Scoring:Concurrency"] = "1";
        s["DOTNET_ENVIRONMENT"] = "Production";
        s["ASPNETCORE_ENVIRONMENT"] = "Production";
        s["Logging:LogLevel:Default"] = "Warning";
        s["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information";
        s["Logging:LogLevel:MassTransit"] = "Information";
        if (topology == Topology.Cluster)
        {
            s["Messaging:Transport"] = "RabbitMq";
            s["Messaging:RabbitMqUrl"] = Require("EMI_RABBITMQ");
            s["Messaging:QueuePrefix"] = $"bench-{Guid.NewGuid().ToString("N")[..8]}-";
            s["Orleans:Mode"] = "Cluster";
            s["Orleans:ClusterId"] = platform._clusterId;
            s["Orleans:ClusteringConnectionString"] = platform.OrleansConnectionString;
        }
        else
        {
            s["Messaging:Transport"] = "InMemory";
            s["Orleans:Mode"] = "Embedded";
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            s[key] = value;
        }
        return platform;
    }

    private string OrleansConnectionString => WithDatabase(Require("EMI_PG_ORLEANS"));

    /// <summary>A silo process (cluster topology) with <paramref name="roles"/>; returns at once (see <see cref="WaitForActiveSilosAsync"/>).</summary>
    public HostProcess StartSilo(string roles)
    {
        var siloPort = FreePort();
        var environment = new Dictionary<string, string>(_settings)
        {
            ["Orleans:Roles"] = roles,
            ["Orleans:SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
        };
        var silo = HostProcess.Start(Built(_root, "EmiPlatform.Silo", "EmiPlatform.Silo.dll"), roles, environment, siloPort);
        _hosts.Add(silo);
        return silo;
    }

    /// <summary>
    /// Starts the API host and waits until it is ready: an Orleans client (cluster; start a silo first, it migrates the
    /// database), or the whole platform in one process (embedded, <paramref name="embeddedRoles"/>).
    /// </summary>
    public async Task StartApiAsync(string embeddedRoles = "coordinator,scoring")
    {
        var port = FreePort();
        var environment = new Dictionary<string, string>(_settings)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Auth:BootstrapAdminKey"] = _adminKey,
            ["Orleans:Roles"] = Topology == Topology.Cluster ? "client" : embeddedRoles,
        };
        Api = HostProcess.Start(Built(_root, "EmiPlatform.Api", "EmiPlatform.Api.dll"), "api", environment);
        _hosts.Add(Api);
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
        await WaitUntilAsync(async () =>
        {
            try
            {
                using var response = await Http.GetAsync("/readyz");
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(120), "the API host to be ready");
    }

    /// <summary>
    /// The cluster topology up and ready: <paramref name="coordinators"/> coordinator silos (the first migrates the
    /// database), the API host as their client, and <paramref name="scoring"/> scoring silos with their consumers listening.
    /// </summary>
    public async Task StartClusterAsync(int coordinators, int scoring)
    {
        StartSilo("coordinator");
        await WaitForActiveSilosAsync(1);
        for (var i = 1; i < coordinators; i++)
        {
            StartSilo("coordinator");
        }
        await WaitForActiveSilosAsync(coordinators);
        await StartApiAsync();
        await StartScoringSilosAsync(scoring);
    }

    /// <summary>The topology up and ready: cluster, one coordinator and <paramref name="scoringSilos"/> scoring silos; embedded, the API process.</summary>
    public Task StartAsync(int scoringSilos = 1) =>
        Topology == Topology.Cluster ? StartClusterAsync(1, scoringSilos) : StartApiAsync();

    /// <summary>Starts <paramref name="count"/> scoring silos and waits until they are active and their MassTransit consumers listen.</summary>
    public async Task StartScoringSilosAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            StartSilo("scoring");
        }
        await WaitForActiveSilosAsync(_hosts.Count(h => h.SiloPort > 0 && !h.HasExited));
        // MassTransit says "Bus started" at Information (Logging:LogLevel:MassTransit, set in CreateAsync).
        await WaitUntilAsync(() => Task.FromResult(_hosts.Where(h => h.Name == "scoring" && !h.HasExited).All(h => h.Logged("Bus started"))),
            TimeSpan.FromSeconds(120), "the scoring silos' consumers");
    }

    /// <summary>Waits until the membership table lists <paramref name="count"/> of this cluster's silos as active (status 3).</summary>
    public Task WaitForActiveSilosAsync(int count) => WaitUntilAsync(async () =>
    {
        try
        {
            return await ScalarAsync<long>("SELECT count(*) FROM orleans.membership_silo WHERE cluster_id = $1 AND status = 3", _clusterId) >= count;
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            return false; // the first silo has not migrated the database yet
        }
    }, TimeSpan.FromSeconds(120), $"{count} active silo(s)");

    /// <summary>The membership status Orleans wrote for <paramref name="silo"/> (3 active, 6 dead), if it has a row.</summary>
    public async Task<int?> SiloStatusAsync(HostProcess silo)
    {
        var rows = await RowsAsync("SELECT status FROM orleans.membership_silo WHERE cluster_id = $1 AND port = $2 ORDER BY generation DESC LIMIT 1",
            _clusterId, silo.SiloPort);
        return rows.Count == 0 ? null : (int)rows[0][0];
    }

    /// <summary>The silo process hosting the activation of the grain <paramref name="grain"/> picks, asked of the cluster's management grain from an Orleans client of the bench's own.</summary>
    public async Task<HostProcess?> HostOfAsync(Func<IGrainFactory, IAddressable> grain)
    {
        if (_client is null)
        {
            DbProviderFactories.RegisterFactory("Npgsql", NpgsqlFactory.Instance);
            _client = new HostBuilder().UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (_clusterId, "emi-platform"));
                client.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", OrleansConnectionString));
            }).Build();
            await _client.StartAsync();
        }
        var grains = _client.Services.GetRequiredService<IClusterClient>();
        var address = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grain(grains));
        return address is null ? null : _hosts.SingleOrDefault(h => h.SiloPort == address.Endpoint.Port && !h.HasExited);
    }

    /// <summary>A new tenant with a study and a participant, and an HTTP client holding the tenant's admin key.</summary>
    public async Task<BenchLab> CreateLabAsync(string name)
    {
        using var admin = new HttpClient { BaseAddress = Http.BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _adminKey);
        var tenant = await PostAsync(admin, "/v1/admin/tenants", new { name });
        var client = new HttpClient { BaseAddress = Http.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tenant["adminKey"]!["secret"]!.GetValue<string>());
        var study = (await PostAsync(client, "/v1/studies", new { name = name + " study" }))["id"]!.GetValue<string>();
        var participant = (await PostAsync(client, $"/v1/studies/{study}/participants", new { code = "P01" }))["id"]!.GetValue<string>();
        return new BenchLab(client, Guid.Parse(tenant["tenant"]!["id"]!.GetValue<string>()), Guid.Parse(study), Guid.Parse(participant));
    }

    /// <summary>Another participant of <paramref name="lab"/>'s study; returns its id.</summary>
    public async Task<Guid> AddParticipantAsync(BenchLab lab, string code) =>
        Guid.Parse((await PostAsync(lab.Client, $"/v1/studies/{lab.StudyId}/participants", new { code }))["id"]!.GetValue<string>());

    /// <summary>Counts this study's jobs in <paramref name="state"/>.</summary>
    public Task<long> JobsAsync(Guid studyId, string state) =>
        ScalarAsync<long>("SELECT count(*) FROM scoring_jobs WHERE study_id = $1 AND state = $2", studyId, state);

    /// <summary>Polls (every <paramref name="poll"/>, default 100 ms) until <paramref name="condition"/> holds; fails with the hosts' log tails when a host exits or time is up.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? poll = null, IEnumerable<HostProcess>? mayExit = null)
    {
        var deadline = Stopwatch.StartNew();
        var allowed = mayExit?.ToHashSet() ?? [];
        while (!await condition())
        {
            if (deadline.Elapsed > timeout || _hosts.Any(h => h.HasExited && !allowed.Contains(h) && !_killed.Contains(h)))
            {
                throw new InvalidOperationException($"gave up waiting for {what} after {deadline.Elapsed.TotalSeconds:F0} s:\n" +
                                                    string.Join("\n---\n", _hosts.Select(h => h.Tail())));
            }
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(100));
        }
    }

    private readonly HashSet<HostProcess> _killed = [];

    /// <summary>SIGKILLs <paramref name="host"/>; its death is expected from now on.</summary>
    public void Kill(HostProcess host)
    {
        _killed.Add(host);
        host.Kill();
    }

    /// <summary>PostgreSQL's clock now: every job timestamp comes from the hosts on this machine, so this is the same clock.</summary>
    public Task<DateTime> NowAsync() => ScalarAsync<DateTime>("SELECT clock_timestamp()");

    public async Task<T> ScalarAsync<T>(string sql, params object[] values)
    {
        var rows = await RowsAsync(sql, values);
        return (T)Convert.ChangeType(rows[0][0], typeof(T), CultureInfo.InvariantCulture);
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

    /// <summary>Writes every host's output to <paramref name="directory"/> (one file per process); returns the directory.</summary>
    public string SaveLogs(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var host in _hosts)
        {
            File.WriteAllText(Path.Combine(directory, $"{host.Name}-{host.Pid}.log"), host.Log);
        }
        return directory;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            try
            {
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _client.StopAsync(stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or OrleansException)
            {
                // the cluster is going away anyway
            }
            _client.Dispose();
        }
        foreach (var host in _hosts)
        {
            host.Dispose();
        }
        Http?.Dispose();
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(Require("EMI_PG"), $"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
        var store = new Storage.BlobStore(new Storage.BlobStorageOptions { ConnectionString = Require("EMI_AZURITE"), Container = _container });
        await store.DeleteContainerAsync();
    }

    private string WithDatabase(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString) { Database = _database }.ConnectionString;

    private static async Task<JsonNode> PostAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? JsonNode.Parse(text)! : throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
    }

    public static string Built(string root, string project, string dll)
    {
        foreach (var configuration in new[] { "Release", "Debug" })
        {
            var path = Path.Combine(root, "src", project, "bin", configuration, "net10.0", dll);
            if (File.Exists(path))
            {
                return path;
            }
        }
        throw new InvalidOperationException($"{project} is not built (dotnet build -c Release src/{project}).");
    }

    public static string FindRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EmiPlatform.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Run from inside the repository (EmiPlatform.sln not found).");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : throw new InvalidOperationException($"{name} is not set: . .local/env.sh");

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
