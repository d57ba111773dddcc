using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace EmiPlatform.Inference.Media;

/// <summary>
/// One ffmpeg/ffprobe child process whose stdout is read as a stream. The process never outlives this object:
/// cancellation and <see cref="DisposeAsync"/> kill it (and anything it started) and reap it.
/// stderr is drained continuously (a full stderr pipe would stall ffmpeg) and its tail kept for error messages.
/// </summary>
internal sealed class FfmpegProcess : IAsyncDisposable
{
    private const int StderrTailChars = 8192;

    private static int s_live;

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stderrPump;
    private readonly CancellationTokenRegistration _killOnCancel;
    private int _disposed;

    private FfmpegProcess(Process process, CancellationToken cancellationToken)
    {
        _process = process;
        Interlocked.Increment(ref s_live);
        _stderrPump = PumpStderrAsync();
        _killOnCancel = cancellationToken.Register(Kill);
    }

    /// <summary>Child processes started and not yet reaped; the leak tests watch it.</summary>
    public static int LiveCount => Volatile.Read(ref s_live);

    public int ProcessId => _process.Id;

    public Stream Stdout => _process.StandardOutput.BaseStream;

    public static FfmpegProcess Start(string executable, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        cancellationToken.ThrowIfCancellationRequested();
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new MediaDecodeException(MediaErrorKind.ToolMissing, $"Could not start {executable}.");
        }
        catch (Win32Exception ex)
        {
            throw new MediaDecodeException(
                MediaErrorKind.ToolMissing,
                $"Could not start {executable} ({ex.Message}); install ffmpeg (infra/install-deps.sh) or set EMI_FFMPEG / EMI_FFPROBE.",
                ex);
        }

        return new FfmpegProcess(process, cancellationToken);
    }

    /// <summary>Waits for exit and returns the exit code plus the tail of stderr.</summary>
    public async Task<(int ExitCode, string Stderr)> WaitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await _stderrPump.ConfigureAwait(false);
        return (_process.ExitCode, StderrTail);
    }

    public string StderrTail
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    private async Task PumpStderrAsync()
    {
        var reader = _process.StandardError;
        var buffer = new char[1024];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                lock (_stderr)
                {
                    _stderr.Append(buffer, 0, read);
                    if (_stderr.Length > StderrTailChars * 2)
                    {
                        _stderr.Remove(0, _stderr.Length - StderrTailChars);
                    }
                }
            }
        }
        catch (IOException)
        {
            // The pipe breaks when the process is killed; the tail collected so far is what there is.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _killOnCancel.DisposeAsync().ConfigureAwait(false);
        Kill();
        // Reap the child so no zombie or orphan remains; a killed ffmpeg exits at once.
        await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        await _stderrPump.ConfigureAwait(false);
        _process.Dispose();
        Interlocked.Decrement(ref s_live);
    }
}
