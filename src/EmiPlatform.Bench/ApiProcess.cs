using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace EmiPlatform.Bench;

/// <summary>
/// The built API host (EmiPlatform.Api.dll) as a separate process, configured only by environment variables, on a fresh
/// database of the local cluster and its own blob container; everything is removed again on dispose.
/// </summary>
internal sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _database;
    private readonly string _superuser;

    private ApiProcess(Process process, Uri url, string adminKey, string database, string superuser)
    {
        _process = process;
        Url = url;
        AdminKey = adminKey;
        _database = database;
        _superuser = superuser;
    }

    public Uri Url { get; }
    public string AdminKey { get; }
    public int Pid => _process.Id;

    /// <summary>The schema owner's and the application role's connection strings for this API's database (export-compare seeds and COPYs).</summary>
    public string OwnerConnectionString => WithDatabase(Require("EMI_PG_OWNER"), _database);

    public string AppConnectionString => WithDatabase(Require("EMI_PG_APP"), _database);

    public static async Task<ApiProcess> StartAsync(string apiDll, string storageConnectionString, string container,
        IReadOnlyDictionary<string, string> settings, CancellationToken ct)
    {
        var superuser = Require("EMI_PG");
        var database = $"emi_bench_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(superuser))
        {
            await connection.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database} OWNER emi_owner", connection);
            await create.ExecuteNonQueryAsync(ct);
        }

        var port = FreePort();
        var adminKey = "bench-admin-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(apiDll))!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.GetFullPath(apiDll));
        var env = info.Environment;
        env["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["Database__AppConnectionString"] = WithDatabase(Require("EMI_PG_APP"), database);
        env["Database__AdminConnectionString"] = WithDatabase(Require("EMI_PG_ADMIN"), database);
        env["Database__MigrationsConnectionString"] = WithDatabase(Require("EMI_PG_OWNER"), database);
        env["Auth__BootstrapAdminKey"] = adminKey;
        env["Storage__ConnectionString"] = storageConnectionString;
        env["Storage__Container"] = container;
        env["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            env[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        // Drain the host's output so a full pipe never blocks it; keep the tail for error messages.
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        void Keep(object? _, DataReceivedEventArgs e)
        {
            if (e.Data is { } line)
            {
                log.Enqueue(line);
                while (log.Count > 40 && log.TryDequeue(out var _))
                {
                }
            }
        }
        process.OutputDataReceived += Keep;
        process.ErrorDataReceived += Keep;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var api = new ApiProcess(process, new Uri($"http://127.0.0.1:{port}/"), adminKey, database, superuser);
        using var http = new HttpClient { BaseAddress = api.Url, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                await api.DisposeAsync();
                throw new InvalidOperationException($"the API exited with {process.ExitCode} while starting:\n{string.Join('\n', log)}");
            }
            try
            {
                using var ready = await http.GetAsync("readyz", ct);
                if (ready.IsSuccessStatusCode)
                {
                    return api;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            if (deadline.Elapsed > TimeSpan.FromSeconds(90))
            {
                await api.DisposeAsync();
                throw new TimeoutException($"the API did not become ready in 90 s:\n{string.Join('\n', log)}");
            }
            await Task.Delay(250, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_superuser);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run infra/up.sh and `. .local/env.sh` first.");

    private static string WithDatabase(string connectionString, string database) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
