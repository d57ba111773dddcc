using System.Diagnostics;

namespace EmiPlatform.Testing.Media;

/// <summary>What the installed ffmpeg lists itself (<c>ffmpeg -protocols</c>, <c>ffmpeg -demuxers</c>).</summary>
public static class FfmpegCapabilities
{
    private static readonly Lazy<IReadOnlyList<string>> s_inputProtocols = new(() =>
    {
        var lines = Run("-protocols");
        var input = lines.FindIndex(l => l.Trim() == "Input:");
        var output = lines.FindIndex(l => l.Trim() == "Output:");
        Assert.True(input >= 0 && output > input, "ffmpeg -protocols did not list Input: and Output:");
        return lines[(input + 1)..output].Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
    });

    private static readonly Lazy<IReadOnlyList<string>> s_demuxers = new(() =>
        Run("-demuxers")
            .SkipWhile(l => l.Trim() != "--")
            .Skip(1)
            .Select(l => l.Trim().Split(' ', 3, StringSplitOptions.RemoveEmptyEntries))
            .Where(parts => parts.Length >= 2 && parts[0].Contains('D', StringComparison.Ordinal))
            .Select(parts => parts[1])
            .ToArray());

    public static IReadOnlyList<string> InputProtocols => s_inputProtocols.Value;

    /// <summary>Demuxer names as ffmpeg lists them, e.g. <c>mov,mp4,m4a,3gp,3g2,mj2</c>.</summary>
    public static IReadOnlyList<string> Demuxers => s_demuxers.Value;

    private static List<string> Run(string what)
    {
        using var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg", ["-hide_banner", what])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stderr = ffmpeg.StandardError.ReadToEndAsync();
        var stdout = ffmpeg.StandardOutput.ReadToEnd();
        ffmpeg.WaitForExit();
        Assert.True(ffmpeg.ExitCode == 0, $"ffmpeg {what} failed: {stderr.Result}");
        return [.. stdout.Split('\n')];
    }
}
