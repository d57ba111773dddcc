using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace EmiPlatform.Media;

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
    private readonly CancellationTokenSource _wallClock;
    private readonly CancellationTokenRegistration _killOnTimeout;
    private readonly string _tool;
    private readonly MediaSource _source;
    private readonly ProcessBudget _budget;
    private int _disposed;
    private volatile bool _killedHere;
    private volatile bool _timedOut;

    private FfmpegProcess(Process process, string tool, MediaSource source, ProcessBudget budget, CancellationToken cancellationToken)
    {
        _process = process;
        _tool = tool;
        _source = source;
        _budget = budget;
        Interlocked.Increment(ref s_live);
        _stderrPump = PumpStderrAsync();
        _killOnCancel = cancellationToken.Register(Kill);
        _wallClock = new CancellationTokenSource(budget.WallClock);
        _killOnTimeout = _wallClock.Token.Register(() =>
        {
            _timedOut = true;
            Kill();
        });
    }

    /// <summary>Child processes started and not yet reaped; the leak tests watch it.</summary>
    public static int LiveCount => Volatile.Read(ref s_live);

    public int ProcessId => _process.Id;

    public Stream Stdout => _process.StandardOutput.BaseStream;

    /// <summary>
    /// The one way ffmpeg and ffprobe are started. The input options are built here and nowhere else: ffmpeg may use only
    /// <paramref name="source"/>'s protocol and open only <see cref="AcceptedFormats"/> (pinned to
    /// <paramref name="demuxer"/> where the format is known already), so a playlist or a concatenation list is refused
    /// before anything it names is opened; the child runs under <paramref name="budget"/>.
    /// </summary>
    public static FfmpegProcess Start(
        string executable,
        IEnumerable<string> options,
        MediaSource source,
        string? demuxer,
        IEnumerable<string> output,
        ProcessBudget budget,
        CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // An empty stdin: nothing ffmpeg opens can read the host's.
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var argument in options)
        {
            info.ArgumentList.Add(argument);
        }
        info.ArgumentList.Add("-protocol_whitelist");
        info.ArgumentList.Add(source.Protocols);
        info.ArgumentList.Add("-format_whitelist");
        info.ArgumentList.Add(AcceptedFormats.Whitelist);
        if (demuxer is not null)
        {
            info.ArgumentList.Add("-f");
            info.ArgumentList.Add(demuxer);
        }
        info.ArgumentList.Add("-i");
        info.ArgumentList.Add(source.Url);
        foreach (var argument in output)
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

        try
        {
            ResourceLimits.Apply(process.Id, budget);
            process.StandardInput.Close();
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            process.Dispose();
            throw;
        }

        return new FfmpegProcess(process, Path.GetFileName(executable), source, budget, cancellationToken);
    }

    /// <summary>
    /// Waits for exit and returns the exit code plus the tail of stderr (the URL replaced by the display name). A child
    /// stopped by its wall-clock, CPU-time or memory limit throws <see cref="MediaErrorKind.OutOfBounds"/> instead.
    /// </summary>
    public async Task<(int ExitCode, string Stderr)> WaitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await _stderrPump.ConfigureAwait(false);
        var exitCode = _process.ExitCode;
        var stderr = _source.Redact(StderrTail);
        if (_timedOut)
        {
            throw OutOfBounds(string.Create(CultureInfo.InvariantCulture, $"ran past its wall-clock limit of {_budget.WallClock.TotalSeconds:0.#} s"));
        }
        // .NET reports death by a signal as 128 + the signal; SIGKILL that this object did not send is RLIMIT_CPU's.
        if (exitCode == 128 + 9 && !_killedHere && ResourceLimits.Supported)
        {
            throw OutOfBounds(string.Create(CultureInfo.InvariantCulture, $"ran past its CPU-time limit of {Math.Max(1, Math.Ceiling(_budget.CpuTime.TotalSeconds)):0} s"));
        }
        if (exitCode != 0 && stderr.Contains("Cannot allocate memory", StringComparison.Ordinal))
        {
            throw OutOfBounds(string.Create(CultureInfo.InvariantCulture, $"needed more than its memory limit of {_budget.MemoryBytes / (1024 * 1024)} MiB"));
        }
        return (exitCode, stderr);
    }

    private MediaDecodeException OutOfBounds(string what) => new(
        MediaErrorKind.OutOfBounds,
        $"'{_source.DisplayName}' costs too much to decode: {_tool} {what} (docs/api.md, media limits).");

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
        _killedHere = true;
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
        await _killOnTimeout.DisposeAsync().ConfigureAwait(false);
        _wallClock.Dispose();
        Kill();
        // Reap the child so no zombie or orphan remains; a killed ffmpeg exits at once.
        await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        await _stderrPump.ConfigureAwait(false);
        _process.Dispose();
        Interlocked.Decrement(ref s_live);
    }
}
