using System.Diagnostics;
using System.Text;

namespace EmiPlatform.Bench;

/// <summary>A built platform binary (API host or silo) as a process of its own, configured by environment variables; its output is kept for error messages.</summary>
internal sealed class HostProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private HostProcess(Process process, string name, int siloPort)
    {
        _process = process;
        Name = name;
        SiloPort = siloPort;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>api, coordinator, scoring, …</summary>
    public string Name { get; }

    /// <summary>The silo-to-silo port (how Orleans's silo addresses name this process); 0 for an API client.</summary>
    public int SiloPort { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public static HostProcess Start(string dll, string name, IReadOnlyDictionary<string, string> environment, int siloPort = 0)
    {
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        return new HostProcess(Process.Start(start) ?? throw new InvalidOperationException($"could not start {dll}"), name, siloPort);
    }

    public bool Logged(string text)
    {
        lock (_log)
        {
            return _log.ToString().Contains(text, StringComparison.Ordinal);
        }
    }

    public string Tail(int chars = 3000)
    {
        lock (_log)
        {
            var text = _log.ToString();
            return $"{Name} (pid {Pid}{(HasExited ? ", exited" : "")}):\n" + (text.Length > chars ? text[^chars..] : text);
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

    public double CpuSeconds() => HasExited ? 0 : MachineCpu.ProcessSeconds(Pid);

    /// <summary>SIGKILL, no graceful shutdown: what a crashed machine looks like to the rest of the cluster.</summary>
    public void Kill()
    {
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
