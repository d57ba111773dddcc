using System.Diagnostics;

namespace EmiPlatform.Testing.Media;

/// <summary>Makes test media with the installed ffmpeg (its lavfi test sources); a failure fails the test with ffmpeg's words.</summary>
public static class TestFfmpeg
{
    public static string Make(string path, params string[] arguments)
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in (string[])["-nostdin", "-y", "-hide_banner", "-loglevel", "error", .. arguments, path])
        {
            info.ArgumentList.Add(argument);
        }
        using var ffmpeg = Process.Start(info)!;
        var stderr = ffmpeg.StandardError.ReadToEndAsync();
        ffmpeg.StandardOutput.ReadToEnd();
        ffmpeg.WaitForExit();
        Assert.True(ffmpeg.ExitCode == 0, $"ffmpeg could not make {Path.GetFileName(path)}: {stderr.Result}");
        return path;
    }
}
