namespace EmiPlatform.Media;

/// <summary>
/// A cheap check that a probed recording really holds data to its end: decodes only its last seconds. A file cut off
/// after its index (an MP4 with the index first, say) probes fine but fails here — better refused at upload than at scoring.
/// </summary>
public static class MediaIntegrity
{
    private const string TailSeconds = "2";

    /// <summary>Decodes the end of <paramref name="source"/> with the demuxer its probe found (<paramref name="probed"/>).</summary>
    public static async Task VerifyEndAsync(MediaSource source, MediaInfo probed, MediaTools tools, CancellationToken cancellationToken)
    {
        await using var process = FfmpegProcess.Start(
            tools.Ffmpeg,
            ["-nostdin", "-v", "error", "-sseof", "-" + TailSeconds],
            source,
            AcceptedFormats.DemuxerFor(probed),
            ["-f", "null", "-"],
            tools.Limits.ProbeBudget,
            cancellationToken);
        await process.Stdout.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        var (exitCode, stderr) = await process.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (exitCode != 0 || !string.IsNullOrWhiteSpace(stderr))
        {
            throw new MediaDecodeException(
                MediaErrorKind.Truncated,
                $"'{source.DisplayName}' is truncated or corrupt: its last seconds cannot be decoded (ffmpeg: {MediaProbe.LastLine(stderr)}).");
        }
    }
}
