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

        // Faces: Debian python3-skimage's astronaut.png (NASA, public domain). A still; a face that moves over a moving
        // background, leaves the picture at 3 s and returns at 5 s; a picture with no face at all. Audio on the last two.
        var astronaut = TestEnvironment.AstronautPng;
        Run("ffmpeg", "-loop", "1", "-i", astronaut, "-t", "2", "-r", "10", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "10",
            "-pix_fmt", "yuv444p", P("astronaut.mp4"));
        Run("ffmpeg", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-loop", "1", "-i", astronaut,
            "-f", "lavfi", "-i", "sine=frequency=260:sample_rate=16000",
            "-filter_complex", $"[1:v]scale={FaceSide}:{FaceSide}[face];[0:v][face]overlay=x='{FaceX0}+{FaceSpeed}*t':y={FaceY}:enable='lt(t,{FaceLeaves})+gte(t,{FaceReturns})'[v]",
            "-map", "[v]", "-map", "2:a", "-t", "9", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-pix_fmt", "yuv420p",
            "-c:a", "aac", P("face-moves.mp4"));
        Run("ffmpeg", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-f", "lavfi", "-i", "sine=frequency=260:sample_rate=16000",
            "-t", "4", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", P("no-face.mp4"));

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

    // Where face-moves.mp4 puts the astronaut photo (640x360 frame): side, top-left corner at x0 + speed * t, and
    // when it leaves and returns (seconds).
    public const int FaceSide = 240;
    public const int FaceX0 = 40;
    public const int FaceSpeed = 40;
    public const int FaceY = 60;
    public const double FaceLeaves = 3;
    public const double FaceReturns = 5;

    public string Directory { get; }

    public string P(string name) => Path.Combine(Directory, name);

    internal static void Run(string tool, params string[] args)
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
