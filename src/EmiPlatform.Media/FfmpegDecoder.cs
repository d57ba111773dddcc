using System.Globalization;

namespace EmiPlatform.Media;

/// <summary>
/// Streams one decoded stream of a recording out of an ffmpeg child process in fixed-size units (audio samples
/// or video frames), so no more than the caller's buffers is ever held in memory.
/// </summary>
internal abstract class FfmpegDecoder : IAsyncDisposable
{
    private readonly FfmpegProcess _process;
    private readonly string _fileName;
    private readonly double _expectedSeconds; // what the stream declares (DeclaredSeconds); 0 when nothing
    private byte[] _bytes = [];

    protected FfmpegDecoder(FfmpegProcess process, string fileName, int unitBytes, int unitFloats, double unitsPerSecond, double expectedSeconds)
    {
        _process = process;
        _fileName = fileName;
        UnitBytes = unitBytes;
        UnitFloats = unitFloats;
        UnitsPerSecond = unitsPerSecond;
        _expectedSeconds = expectedSeconds;
    }

    /// <summary>Decoded bytes per unit (4 for a float sample, height*width*3 for an RGB frame).</summary>
    public int UnitBytes { get; }

    /// <summary>Model-input floats per unit.</summary>
    public int UnitFloats { get; }

    public double UnitsPerSecond { get; }

    public long UnitsRead { get; private set; }

    /// <summary>The ffmpeg child's process id, for tests that watch it.</summary>
    internal int ProcessId => _process.ProcessId;

    /// <summary>
    /// Reads up to <paramref name="maxUnits"/> units into <paramref name="destination"/> starting at unit
    /// <paramref name="unitOffset"/>; returns fewer at the end of the stream or beyond <see cref="MaxUnitsPerRead"/>,
    /// 0 when the stream is over.
    /// </summary>
    public async ValueTask<int> ReadAsync(float[] destination, int unitOffset, int maxUnits, CancellationToken cancellationToken)
    {
        var wanted = Math.Min(maxUnits, MaxUnitsPerRead) * UnitBytes;
        if (_bytes.Length < wanted)
        {
            _bytes = new byte[wanted];
        }

        var filled = 0;
        while (filled < wanted)
        {
            var read = await _process.Stdout.ReadAsync(_bytes.AsMemory(filled, wanted - filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        var units = filled / UnitBytes;
        Convert(_bytes.AsSpan(0, units * UnitBytes), destination.AsSpan(unitOffset * UnitFloats, units * UnitFloats));
        UnitsRead += units;
        return units;
    }

    /// <summary>Bounds the decoded-bytes buffer: large frames (the face stage's letterboxed ones) are read a few at a time.</summary>
    protected virtual int MaxUnitsPerRead => int.MaxValue;

    /// <summary>
    /// Starts ffmpeg on a probed local recording, after checking what it declares against <see cref="MediaLimits"/> and
    /// pinning the demuxer the probe found (a stored probe names a format that must still be an accepted one).
    /// </summary>
    protected static FfmpegProcess StartProcess(MediaInfo media, IEnumerable<string> output, MediaTools tools, CancellationToken cancellationToken)
    {
        MediaBounds.Check(media, tools.Limits);
        return FfmpegProcess.Start(
            tools.Ffmpeg,
            ["-nostdin", "-hide_banner", "-v", "error"],
            MediaSource.File(media.Path),
            AcceptedFormats.DemuxerFor(media),
            output,
            tools.Limits.DecodeBudget(media.Duration),
            cancellationToken);
    }

    /// <summary>
    /// How long a stream must decode to, to count as whole: the length it declares itself. Tracks rarely end together (a
    /// lab recorder's microphone stops before its camera), so a stream is never held to the container's length, which
    /// is its longest stream's — except where it is the file's only stream, or declares nothing and is the only one
    /// of audio and video (0: nothing to compare, so only ffmpeg's own errors count).
    /// </summary>
    protected static double DeclaredSeconds(MediaInfo media, double? streamSeconds) =>
        streamSeconds ?? (media.Audio is null || media.Video is null ? media.Duration : 0);

    protected abstract void Convert(ReadOnlySpan<byte> source, Span<float> destination);

    /// <summary>After the last read: turns ffmpeg's exit status and a short stream into typed errors.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        var (exitCode, stderr) = await _process.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new MediaDecodeException(
                MediaErrorKind.DecodeFailed,
                $"ffmpeg could not decode '{_fileName}' (exit {exitCode}: {MediaProbe.LastLine(stderr)}).");
        }

        var decoded = UnitsRead / UnitsPerSecond;
        var tolerance = 1.0 + (0.02 * _expectedSeconds);
        if (stderr.Contains("partial file", StringComparison.Ordinal) || (_expectedSeconds > 0 && decoded < _expectedSeconds - tolerance))
        {
            throw new MediaDecodeException(
                MediaErrorKind.Truncated,
                string.Create(CultureInfo.InvariantCulture,
                    $"'{_fileName}' is truncated: {decoded:0.##} s decoded of the {_expectedSeconds:0.##} s its stream declares."));
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    protected static string Invariant(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
