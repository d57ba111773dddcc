using System.Diagnostics;

namespace EmiPlatform.Harness;

/// <summary>
/// A PostgreSQL cluster of one test's own (initdb into a temporary folder, a free loopback port, the platform's roles),
/// made and run by <c>infra/postgres.sh</c> like the shared one, so that a fault test can stop and restart it while
/// requests are in flight: the shared server serves every suite at once and is never restarted by a test. Removed on dispose.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _dir;
    private readonly int _port;

    private PrivatePostgres(string dir, int port, PgServer server)
    {
        _dir = dir;
        _port = port;
        Server = server;
    }

    public PgServer Server { get; }

    /// <summary>initdb (a few seconds), start, create the roles.</summary>
    public static async Task<PrivatePostgres> StartAsync()
    {
        var dir = Directory.CreateTempSubdirectory("emi-pg-").FullName;
        var port = FreePort.Next();
        try
        {
            await ScriptAsync(dir, port, "start");
            var settings = (await ScriptAsync(dir, port, "env")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line["export ".Length..].Split('=', 2))
                .ToDictionary(kv => kv[0], kv => kv[1].Trim('"'));
            return new PrivatePostgres(dir, port, PgServer.FromVariables(name => settings[name]));
        }
        catch
        {
            await RemoveAsync(dir, port);
            throw;
        }
    }

    /// <summary>A fast shutdown: every connection is dropped, as when the server restarts or fails over.</summary>
    public Task StopAsync() => ScriptAsync(_dir, _port, "stop");

    public Task StartAgainAsync() => ScriptAsync(_dir, _port, "start");

    public ValueTask DisposeAsync() => new(RemoveAsync(_dir, _port));

    private static async Task RemoveAsync(string dir, int port)
    {
        try
        {
            await ScriptAsync(dir, port, "stop");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<string> ScriptAsync(string dir, int port, string verb)
    {
        var start = new ProcessStartInfo(Path.Combine(RepoRoot.Path, "infra", "postgres.sh"), verb)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["EMI_PG_DIR"] = dir;
        start.Environment["EMI_PG_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"infra/postgres.sh {verb} (EMI_PG_DIR={dir}) exited {process.ExitCode}: {await error}");
    }
}
