using System.Diagnostics;
using System.Text;

namespace EmiPlatform.Scoring.Tests.Infrastructure;

/// <summary>A scoring worker host in its own process (dotnet EmiPlatform.Silo.dll), configured by environment variables.</summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private WorkerProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

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

    public static WorkerProcess Start(IReadOnlyDictionary<string, string> environment)
    {
        var dll = Env.WorkerDll;
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
        return new WorkerProcess(Process.Start(start)!);
    }

    /// <summary>kill -9: no graceful shutdown, leases stay behind until they expire.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>Process ids of the ffmpeg/ffprobe children this worker runs right now.</summary>
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
