using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using EmiPlatform.Storage;
using Npgsql;

namespace EmiPlatform.Harness;

/// <summary>
/// One platform deployment on the real servers, for a test class or a benchmark run: a fresh database (its Orleans
/// tables included), blob container, RabbitMQ queue prefix and cluster id, all removed on dispose, and the hosts,
/// each the built binary in a process of its own. <see cref="Topology.Cluster"/>: silos started with
/// <see cref="StartSilo"/>, the API host as their Orleans client (a process, or the tests' in-process host through
/// <see cref="Clients"/>), RabbitMQ between them. <see cref="Topology.Embedded"/>: one API process that is its own silo
/// (in-memory transport), as <c>make demo</c> runs it.
/// </summary>
public sealed class Platform : IAsyncDisposable
{
    /// <summary>Orleans settings under which a killed silo is declared dead within seconds: probes every second, two missed, one vote.</summary>
    public static readonly IReadOnlyDictionary<string, string> FastFailureDetection = new Dictionary<string, string>
    {
        ["Orleans:Membership:ProbeTimeout"] = "00:00:01",
        ["Orleans:Membership:NumMissedProbesLimit"] = "2",
        ["Orleans:Membership:NumVotesForDeathDeclaration"] = "1",
        ["Orleans:Membership:TableRefreshTimeout"] = "00:00:02",
        ["Orleans:Membership:IAmAliveTablePublishTimeout"] = "00:00:05",
        ["Orleans:Gateway:GatewayListRefreshPeriod"] = "00:00:02",
    };

    private readonly Dictionary<string, string> _settings = [];
    private readonly List<HostProcess> _hosts = [];
    private HttpClient? _http;

    private Platform(Topology topology, string purpose, PlatformDatabase database)
    {
        Topology = topology;
        Database = database;
        ClusterId = $"{purpose}-{Guid.NewGuid().ToString("N")[..8]}";
        QueuePrefix = $"{purpose}-{Guid.NewGuid().ToString("N")[..8]}-";
        AdminKey = $"{purpose}-admin-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
    }

    public Topology Topology { get; }

    public PlatformDatabase Database { get; }

    public string ClusterId { get; }

    public string QueuePrefix { get; }

    /// <summary>The bootstrap platform-admin key every API host of this deployment accepts.</summary>
    public string AdminKey { get; }

    /// <summary>The configuration (keys with ':') every host of this deployment gets.</summary>
    public IReadOnlyDictionary<string, string> Settings => _settings;

    /// <summary>Every host started so far, the exited ones included.</summary>
    public IReadOnlyList<HostProcess> Hosts => _hosts;

    /// <summary>The API host's process, once <see cref="StartApiAsync"/> has started it.</summary>
    public HostProcess? Api { get; private set; }

    /// <summary>An HTTP client of the API process (no key).</summary>
    public HttpClient Http => _http ?? throw new InvalidOperationException("the API host runs in no process of this platform");

    /// <summary>
    /// Makes an HTTP client of the API host holding a key (null: none). By default one of the API process; a test
    /// whose API host runs in-process sets its own.
    /// </summary>
    public Func<string?, HttpClient>? Clients { get; set; }

    /// <summary>Whether a wait gives up at once when a host exits that nobody killed (benchmarks: yes; tests that take servers down: no).</summary>
    public bool FailOnHostExit { get; set; } = true;

    public string Superuser => Database.Superuser;

    /// <summary>
    /// Creates the database. <paramref name="purpose"/> (test, bench) names the resources; <paramref name="settings"/>
    /// go to every host on top of the common ones: the storage, database and Orleans settings, the default bundle
    /// (<paramref name="bundle"/>, default models/reference-tiny), <c>Scoring:Concurrency</c> 1 (one pipeline per
    /// scoring silo), and Warning logs but for the hosts' start and MassTransit's bus (waits look for "Bus started").
    /// </summary>
    public static async Task<Platform> CreateAsync(Topology topology, string purpose, string? bundle = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var platform = new Platform(topology, purpose, await PlatformDatabase.CreateAsync($"emi_{purpose}"));
        var s = platform._settings;
        s["Database:AppConnectionString"] = platform.Database.App;
        s["Database:AdminConnectionString"] = platform.Database.Admin;
        s["Database:MigrationsConnectionString"] = platform.Database.Owner;
        s["Storage:ConnectionString"] = ServerSettings.Require("EMI_AZURITE");
        s["Storage:Container"] = purpose + Guid.NewGuid().ToString("N")[..12];
        s["Scoring:Concurrency"] = "1";
        s["Logging:LogLevel:Default"] = "Warning";
        s["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information";
        s["Logging:LogLevel:MassTransit"] = "Information";
        if (topology == Topology.Cluster)
        {
            s["Messaging:Transport"] = "RabbitMq";
            s["Messaging:RabbitMqUrl"] = ServerSettings.Require("EMI_RABBITMQ");
            s["Messaging:QueuePrefix"] = platform.QueuePrefix;
            s["Orleans:Mode"] = "Cluster";
            s["Orleans:ClusterId"] = platform.ClusterId;
            s["Orleans:ClusteringConnectionString"] = platform.Database.Orleans;
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
        if (!s.ContainsKey("Scoring:DefaultBundle"))
        {
            s["Scoring:DefaultBundle"] = bundle ?? Path.Combine(RepoRoot.Path, "models", "reference-tiny");
        }
        return platform;
    }

    /// <summary>A silo process (cluster topology) with <paramref name="roles"/>; returns at once (see <see cref="WaitForActiveSilosAsync"/>).</summary>
    public HostProcess StartSilo(string roles)
    {
        var siloPort = FreePort.Next();
        var metricsPort = FreePort.Next();
        var settings = new Dictionary<string, string>(_settings)
        {
            ["Orleans:Roles"] = roles,
            ["Orleans:SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["OpenTelemetry:Prometheus:Port"] = metricsPort.ToString(CultureInfo.InvariantCulture),
        };
        var silo = HostProcess.Start(HostBinaries.Silo, roles, settings, siloPort, metricsPort);
        _hosts.Add(silo);
        return silo;
    }

    /// <summary>
    /// Starts the API host (<paramref name="dll"/>, default the built one) and waits until it is ready: an Orleans
    /// client (cluster; start a silo first, it migrates the database), or the whole platform in one process (embedded,
    /// with the roles of the setting <c>Orleans:Roles</c>, default coordinator and scoring).
    /// </summary>
    public async Task StartApiAsync(string? dll = null)
    {
        var port = FreePort.Next();
        var settings = new Dictionary<string, string>(_settings)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Auth:BootstrapAdminKey"] = AdminKey,
            ["Orleans:Roles"] = Topology == Topology.Cluster ? "client" : _settings.GetValueOrDefault("Orleans:Roles", "coordinator,scoring"),
        };
        Api = HostProcess.Start(Path.GetFullPath(dll ?? HostBinaries.Api), "api", settings);
        _hosts.Add(Api);
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromMinutes(5) };
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
        await WaitUntilAsync(() => Task.FromResult(_hosts.Where(h => h.Roles == "scoring" && !h.HasExited).All(h => h.Logged("Bus started"))),
            TimeSpan.FromSeconds(120), "the scoring silos' consumers");
    }

    /// <summary>Disposes the hosts that have exited and forgets them, so that <see cref="Hosts"/> lists the live ones.</summary>
    public void ForgetExited()
    {
        foreach (var dead in _hosts.Where(h => h.HasExited).ToList())
        {
            _hosts.Remove(dead);
            dead.Dispose();
        }
    }

    /// <summary>Waits until the membership table lists <paramref name="count"/> of this cluster's silos as active (status 3).</summary>
    public Task WaitForActiveSilosAsync(int count, TimeSpan? timeout = null) => WaitUntilAsync(async () =>
    {
        try
        {
            return await ScalarAsync<long>("SELECT count(*) FROM orleans.membership_silo WHERE cluster_id = $1 AND status = 3", ClusterId) >= count;
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            return false; // the first silo has not migrated the database yet
        }
    }, timeout ?? TimeSpan.FromSeconds(120), $"{count} active silo(s)");

    /// <summary>Waits until the membership table says <paramref name="silo"/> is dead (status 6) or active (status 3).</summary>
    public Task WaitForSiloAsync(HostProcess silo, bool dead, TimeSpan timeout) => WaitUntilAsync(
        async () => await ScalarAsync<long>("SELECT count(*) FROM orleans.membership_silo WHERE cluster_id = $1 AND port = $2 AND status = $3",
            ClusterId, silo.SiloPort, dead ? 6 : 3) == 1,
        timeout, $"the {silo.Roles} silo on port {silo.SiloPort} to be {(dead ? "declared dead" : "active")}");

    /// <summary>The membership status Orleans wrote for <paramref name="silo"/> (3 active, 6 dead), if it has a row.</summary>
    public async Task<int?> SiloStatusAsync(HostProcess silo)
    {
        var rows = await RowsAsync("SELECT status FROM orleans.membership_silo WHERE cluster_id = $1 AND port = $2 ORDER BY generation DESC LIMIT 1",
            ClusterId, silo.SiloPort);
        return rows.Count == 0 ? null : (int)rows[0][0];
    }

    /// <summary>An HTTP client of the API host holding <paramref name="key"/> (null: none).</summary>
    public HttpClient Client(string? key)
    {
        HttpClient client;
        if (Clients is { } make)
        {
            client = make(null);
        }
        else
        {
            client = new HttpClient { BaseAddress = Http.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        }
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return client;
    }

    /// <summary>A new tenant named <paramref name="name"/> with a study and a participant (P01), made through the admin API; the lab holds the tenant-admin key.</summary>
    public async Task<Lab> CreateLabAsync(string name)
    {
        using var admin = Client(AdminKey);
        var tenant = await PostAsync(admin, "/v1/admin/tenants", new { name });
        var client = Client(tenant["adminKey"]!["secret"]!.GetValue<string>());
        var study = await PostAsync(client, "/v1/studies", new { name = name + " study" });
        var participant = await PostAsync(client, $"/v1/studies/{study["id"]}/participants", new { code = "P01" });
        return new Lab(this, client, name, Guid.Parse(tenant["tenant"]!["id"]!.GetValue<string>()),
            Guid.Parse(study["id"]!.GetValue<string>()), Guid.Parse(participant["id"]!.GetValue<string>()));
    }

    /// <summary>Counts this study's jobs in <paramref name="state"/>.</summary>
    public Task<long> JobsAsync(Guid studyId, string state) =>
        ScalarAsync<long>("SELECT count(*) FROM scoring_jobs WHERE study_id = $1 AND state = $2", studyId, state);

    /// <summary>PostgreSQL's clock now: every job timestamp comes from the hosts on this machine, so this is the same clock.</summary>
    public Task<DateTime> NowAsync() => ScalarAsync<DateTime>("SELECT clock_timestamp()");

    public Task<T> ScalarAsync<T>(string sql, params object[] values) => Database.ScalarAsync<T>(sql, values);

    public Task<List<object[]>> RowsAsync(string sql, params object[] values) => Database.RowsAsync(sql, values);

    /// <summary>
    /// Waits on <paramref name="condition"/> (<see cref="Eventually"/>); gives up with every host's log tail when time
    /// is up or, with <see cref="FailOnHostExit"/>, when a host exits that was neither killed nor in <paramref name="mayExit"/>.
    /// </summary>
    public Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? poll = null, IEnumerable<HostProcess>? mayExit = null)
    {
        var allowed = mayExit?.ToHashSet() ?? [];
        return Eventually.WaitAsync(async () =>
        {
            if (FailOnHostExit && _hosts.FirstOrDefault(h => h.HasExited && !h.WasKilled && !allowed.Contains(h)) is { } crashed)
            {
                throw new InvalidOperationException($"gave up waiting for {what}: the {crashed.Roles} host (pid {crashed.Pid}) exited\n{Tails()}");
            }
            return await condition();
        }, timeout, what, poll, Tails);
    }

    /// <summary>Every host's log tail, for an error message.</summary>
    public string Tails() => string.Join("\n---\n", _hosts.Select(h => h.Tail()));

    /// <summary>Writes every host's output to <paramref name="directory"/> (one file per process); returns the directory.</summary>
    public string SaveLogs(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var host in _hosts)
        {
            File.WriteAllText(Path.Combine(directory, $"{host.Roles}-{host.Pid}.log"), host.Log);
        }
        return directory;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var host in _hosts)
            {
                host.Dispose();
            }
            _http?.Dispose();
            await new BlobStore(new BlobStorageOptions { ConnectionString = _settings["Storage:ConnectionString"], Container = _settings["Storage:Container"] }).DeleteContainerAsync();
        }
        finally
        {
            await Database.DisposeAsync();
        }
    }

    private static async Task<JsonNode> PostAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? JsonNode.Parse(text)! : throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
    }
}
