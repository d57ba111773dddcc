using System.Diagnostics;
using System.Text;

namespace EmiPlatform.Harness;

/// <summary>
/// A built platform binary (the API host or a silo) in a process of its own, configured only by environment
/// variables, as in production; its output is kept for error messages and log files.
/// </summary>
public sealed class HostProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private HostProcess(Process process, string roles, int siloPort, int metricsPort)
    {
        _process = process;
        Roles = roles;
        SiloPort = siloPort;
        MetricsPort = metricsPort;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>A silo's Orleans roles (coordinator, scoring, or both), or <c>api</c> for the API host.</summary>
    public string Roles { get; }

    /// <summary>The silo-to-silo port (how Orleans's silo addresses name this process); 0 for the API host.</summary>
    public int SiloPort { get; }

    /// <summary>A silo's own Prometheus listener (<c>OpenTelemetry:Prometheus:Port</c>) on localhost; 0 for the API host.</summary>
    public int MetricsPort { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Ended by <see cref="Kill"/>: its death is expected, not a crash to report.</summary>
    public bool WasKilled { get; private set; }

    public bool IsScoring => Roles.Contains("scoring", StringComparison.Ordinal);

    public bool IsCoordinator => Roles.Contains("coordinator", StringComparison.Ordinal);

    /// <summary>
    /// Starts <c>dotnet <paramref name="dll"/></c> with <paramref name="settings"/> (configuration keys with ':') as
    /// environment variables, in the Production environment unless the settings say otherwise.
    /// </summary>
    public static HostProcess Start(string dll, string roles, IReadOnlyDictionary<string, string> settings, int siloPort = 0, int metricsPort = 0)
    {
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        return new HostProcess(Process.Start(start) ?? throw new InvalidOperationException($"could not start {dll}"), roles, siloPort, metricsPort);
    }

    /// <summary>Whether the host has printed <paramref name="text"/> so far.</summary>
    public bool Logged(string text)
    {
        lock (_log)
        {
            return _log.ToString().Contains(text, StringComparison.Ordinal);
        }
    }

    /// <summary>Everything the host has printed so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The last <paramref name="chars"/> characters of the log, under a line naming the process.</summary>
    public string Tail(int chars = 3000)
    {
        var text = Log;
        return $"{Roles} (pid {Pid}{(HasExited ? ", exited" : "")}):\n" + (text.Length > chars ? text[^chars..] : text);
    }

    /// <summary>Process ids of the ffmpeg/ffprobe children this host runs right now.</summary>
    public IReadOnlyList<int> MediaChildren() =>
        [.. ProcessTable.Children(Pid, "ffmpeg", "ffprobe").Where(c => !c.IsZombie).Select(c => c.Pid)];

    /// <summary>SIGKILL, no graceful shutdown: what a crashed machine looks like to the rest of the cluster (leases stay behind until they expire).</summary>
    public void Kill()
    {
        WasKilled = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
