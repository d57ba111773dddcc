using System.Diagnostics;

namespace EmiPlatform.Inference.Tests;

/// <summary>
/// Generates the test recordings once per test run with ffmpeg's test sources and espeak-ng speech, into a
/// temporary directory that is deleted afterwards. Nothing is mocked: the files are real media.
/// </summary>
public sealed class MediaFixture : IDisposable
{
    public MediaFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "emi-inference-tests-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Directory);

        Run("espeak-ng", "-w", P("speech.wav"), "Hello. This recording tests the emotional mimicry scoring engine with synthetic speech.");
        // Audio and video, 8 s: speech followed by a tone, over the test pattern.
        Run("ffmpeg", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-i", P("speech.wav"),
            "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=44100",
            "-filter_complex", "[1:a]apad[s];[s][2:a]amix=inputs=2:duration=shortest[a]",
            "-map", "0:v", "-map", "[a]", "-t", "8", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-movflags", "+faststart", P("both.mp4"));
        Run("ffmpeg", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-t", "6", "-c:v", "libx264", "-preset", "ultrafast",
            "-pix_fmt", "yuv420p", P("video-only.mp4"));
        // 30 s of audio: three 12 s segments with 1 s overlaps.
        Run("ffmpeg", "-f", "lavfi", "-i", "sine=frequency=220:sample_rate=22050", "-i", P("speech.wav"),
            "-filter_complex", "[1:a]aresample=22050,apad[s];[0:a][s]amix=inputs=2:duration=first[a]", "-map", "[a]",
            "-t", "30", "-c:a", "libmp3lame", P("audio-30s.mp3"));
        // Variable frame rate: 2 s at 25 fps, then 8 s at 5 fps.
        Run("ffmpeg", "-t", "3.6", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25",
            "-vf", "setpts='if(lt(N,50),N*0.04,2+(N-50)*0.2)/TB'", "-vsync", "vfr", "-c:v", "libx264", "-preset", "ultrafast",
            "-pix_fmt", "yuv420p", P("vfr.mp4"));
        // Left half red, right half blue, stored with a 90 degree display rotation (as phones do).
        Run("ffmpeg", "-f", "lavfi", "-i", "color=c=red:size=160x120:rate=10", "-f", "lavfi", "-i", "color=c=blue:size=160x120:rate=10",
            "-filter_complex", "[0:v][1:v]hstack[v]", "-map", "[v]", "-t", "3", "-c:v", "libx264", "-preset", "ultrafast",
            "-pix_fmt", "yuv420p", P("upright.mp4"));
        Run("ffmpeg", "-i", P("upright.mp4"), "-c", "copy", "-metadata:s:v:0", "rotate=90", P("rotated.mp4"));

        // Long enough that scoring is still running when a test cancels it.
        Run("ffmpeg", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-f", "lavfi", "-i", "sine=frequency=300:sample_rate=16000",
            "-t", "180", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", P("long.mp4"));

        File.WriteAllBytes(P("empty.mp4"), []);
        var random = new byte[256 * 1024];
        new Random(20261122).NextBytes(random);
        File.WriteAllBytes(P("random.mp4"), random);
        var both = File.ReadAllBytes(P("both.mp4"));
        // Index at the front (faststart), media data cut in half: readable header, missing samples.
        File.WriteAllBytes(P("truncated.mp4"), both[..(both.Length / 2)]);
        // Without the index the container cannot be read at all.
        var plain = P("plain.mp4");
        Run("ffmpeg", "-i", P("both.mp4"), "-c", "copy", plain);
        File.WriteAllBytes(P("truncated-no-index.mp4"), File.ReadAllBytes(plain)[..4096]);
    }

    public string Directory { get; }

    public string P(string name) => Path.Combine(Directory, name);

    private static void Run(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (tool == "ffmpeg")
        {
            foreach (var a in new[] { "-nostdin", "-y", "-hide_banner", "-loglevel", "error" })
            {
                info.ArgumentList.Add(a);
            }
        }

        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', args)} failed: {stderr.Result}");
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
