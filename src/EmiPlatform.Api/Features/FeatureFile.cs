using System.Text.Json;
using EmiPlatform.Bundles.Features;

namespace EmiPlatform.Api.Features;

/// <summary>
/// One recording's cached features as a feature file (docs/model-bundle.md, "Feature files"): the engine's segments one
/// after another (rows of <c>features</c>), where each starts and how many steps it has, so a head trains on exactly
/// the segments serving runs it on.
/// </summary>
public static class FeatureFile
{
    public static void Write(NpzWriter npz, FeatureCacheEntry entry, Guid recordingId, string fileName, string participant)
    {
        var rows = entry.Segments.Sum(s => s.Steps);
        var features = new Half[(long)rows * entry.Width];
        var segments = new long[entry.Segments.Count * 2];
        var starts = new double[entry.Segments.Count];
        var valid = new bool[rows];
        var stepRate = StepRate(entry);
        var at = 0;
        for (var i = 0; i < entry.Segments.Count; i++)
        {
            var s = entry.Segments[i];
            s.Features.CopyTo(features, (long)at * entry.Width);
            segments[2 * i] = at;
            segments[(2 * i) + 1] = s.Steps;
            starts[i] = s.StartUnit / entry.UnitsPerSecond;
            for (var step = 0; step < s.Steps; step++)
            {
                // Visual steps are frames; a frame inside an unseen range had no tracked face (masked, as serving masks it).
                var frame = s.StartUnit + step;
                valid[at + step] = entry.Branch != FeatureCacheKey.Visual || !entry.Unseen.Any(r => frame >= r[0] && frame < r[1]);
            }
            at += s.Steps;
        }
        npz.Half("features", features, rows, entry.Width);
        npz.Float64("step_rate_hz", stepRate);
        npz.Text("backbone_sha256", entry.BackboneSha256);
        npz.Text("branch", entry.Branch);
        npz.Text("recording_id", recordingId.ToString());
        npz.Text("file_name", fileName);
        npz.Text("participant", participant);
        npz.Text("recording_sha256", entry.RecordingSha256);
        npz.Bool("valid", valid);
        npz.Int64("segments", segments, entry.Segments.Count, 2);
        npz.Float64("segment_start_seconds", starts);
    }

    /// <summary>Steps per second: audio, the sample rate over the samples per step; visual, the frame rate (a step per frame).</summary>
    private static double StepRate(FeatureCacheEntry entry)
    {
        using var decoding = JsonDocument.Parse(entry.Decoding);
        var d = decoding.RootElement;
        return entry.Branch == FeatureCacheKey.Audio
            ? d.GetProperty("sample_rate").GetDouble() / d.GetProperty("step_samples").GetDouble()
            : d.GetProperty("frame_rate").GetDouble();
    }
}
