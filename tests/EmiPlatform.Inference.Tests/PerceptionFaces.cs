using System.Diagnostics;

namespace EmiPlatform.Inference.Tests;

/// <summary>
/// The perception tests' faces: 512 × 512 rgb24 frames made once per run by tools/perception-faces/make_faces.py
/// (warps of Debian python3-skimage's public-domain astronaut photo, and a photo without a face) in a temporary
/// directory deleted afterwards.
/// </summary>
public sealed class PerceptionFaces : IDisposable
{
    public const int Size = 512;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "emi-perception-" + Guid.NewGuid().ToString("N")[..8]);

    public PerceptionFaces()
    {
        _ = TestEnvironment.AstronautPng; // names the missing package when skimage is absent
        var script = Path.Combine(RepoRoot.Path, "tools", "perception-faces", "make_faces.py");
        var start = new ProcessStartInfo("/usr/bin/python3", [script, _directory]) { RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"make_faces.py failed ({process.ExitCode}): {stderr}");
        }
    }

    /// <summary>astronaut, smile, jaw, roll15 or faceless.</summary>
    public byte[] Frame(string name) => File.ReadAllBytes(FramePath(name));

    /// <summary>The raw frame's file (ffmpeg: <c>-f rawvideo -pixel_format rgb24 -video_size 512x512</c>).</summary>
    public string FramePath(string name) => Path.Combine(_directory, name + ".rgb");

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
