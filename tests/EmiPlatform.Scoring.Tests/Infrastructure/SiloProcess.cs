using System.Diagnostics;
using System.Text;

namespace EmiPlatform.Scoring.Tests.Infrastructure;

/// <summary>A silo host in its own process (dotnet EmiPlatform.Silo.dll), configured by environment variables.</summary>
public sealed class SiloProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private SiloProcess(Process process, string roles, int siloPort, int metricsPort)
    {
        Roles = roles;
        SiloPort = siloPort;
        MetricsPort = metricsPort;
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    /// <summary>coordinator, scoring, or both.</summary>
    public string Roles { get; }

    /// <summary>The silo-to-silo port: how Orleans's silo addresses name this process.</summary>
    public int SiloPort { get; }

    /// <summary>The silo's own Prometheus listener (<c>OpenTelemetry:Prometheus:Port</c>) on localhost.</summary>
    public int MetricsPort { get; }

    public bool IsScoring => Roles.Contains("scoring", StringComparison.Ordinal);

    public bool IsCoordinator => Roles.Contains("coordinator", StringComparison.Ordinal);

    public bool HasExited => _process.HasExited;

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

    public static SiloProcess Start(string roles, IReadOnlyDictionary<string, string> environment)
    {
        var dll = Env.SiloDll;
        var siloPort = FreePort();
        var metricsPort = FreePort();
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        start.Environment["Orleans__Roles"] = roles;
        start.Environment["Orleans__SiloPort"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Orleans__GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["OpenTelemetry__Prometheus__Port"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new SiloProcess(Process.Start(start)!, roles, siloPort, metricsPort);
    }

    /// <summary>kill -9: no graceful shutdown; leases stay behind until they expire, and the cluster must notice the silo is gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Process ids of the ffmpeg/ffprobe children this silo runs right now.</summary>
    public IReadOnlyList<int> MediaChildren() => ProcessTable.Children(Pid, "ffmpeg", "ffprobe");

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
