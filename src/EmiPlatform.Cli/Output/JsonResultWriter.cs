using System.Text.Json;
using EmiPlatform.Inference.Scoring;

namespace EmiPlatform.Cli.Output;

/// <summary>
/// All results as one JSON array: bundle, provider, modalities, windows and the aggregate per recording;
/// face_coverage (per window and per recording) is null for a bundle without a face stage.
/// </summary>
internal static class JsonResultWriter
{
    private static readonly JsonSerializerOptions s_options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static void Write(TextWriter writer, IEnumerable<(string Recording, ScoringResult Result)> results)
    {
        var payload = results.Select(r => new
        {
            recording = r.Recording,
            bundle = new { name = r.Result.BundleName, version = r.Result.BundleVersion, trained = r.Result.BundleTrained },
            execution_provider = r.Result.ExecutionProvider,
            duration_s = r.Result.DurationSeconds,
            has_audio = r.Result.HasAudio,
            has_video = r.Result.HasVideo,
            face_coverage = r.Result.Aggregate?.FaceCoverage,
            emotions = r.Result.Emotions,
            vad = r.Result.VadNames,
            aggregate = r.Result.Aggregate,
            windows = r.Result.Windows,
        });
        writer.WriteLine(JsonSerializer.Serialize(payload, s_options));
    }
}
