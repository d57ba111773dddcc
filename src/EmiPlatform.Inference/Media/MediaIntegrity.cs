namespace EmiPlatform.Inference.Media;

/// <summary>
/// A cheap check that a probed recording really holds data to its end: decodes only its last seconds. A file cut off
/// after its index (an MP4 with the index first, say) probes fine but fails here — better refused at upload than at scoring.
/// </summary>
public static class MediaIntegrity
{
    private const string TailSeconds = "2";

    public static async Task VerifyEndAsync(string input, string displayName, MediaTools tools, CancellationToken cancellationToken)
    {
        await using var process = FfmpegProcess.Start(
            tools.Ffmpeg,
            ["-nostdin", "-v", "error", "-sseof", "-" + TailSeconds, "-i", input, "-f", "null", "-"],
            cancellationToken);
        await process.Stdout.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        var (exitCode, stderr) = await process.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (exitCode != 0 || !string.IsNullOrWhiteSpace(stderr))
        {
            throw new MediaDecodeException(
                MediaErrorKind.Truncated,
                $"'{displayName}' is truncated or corrupt: its last seconds cannot be decoded (ffmpeg: {MediaProbe.LastLine(stderr.Replace(input, displayName, StringComparison.Ordinal))}).");
        }
    }
}
