using System.Text.Json;
using EmiPlatform.Inference.Columns;
using EmiPlatform.Inference.Scoring;
using EmiPlatform.Results;

namespace EmiPlatform.Cli.Output;

/// <summary>
/// All results as one JSON array: bundle, provider, modalities, windows and the aggregate per recording. A window (and
/// the aggregate) carries start_s, end_s and the platform's score columns under the API's names
/// (<see cref="ScoreColumns"/>: null where a stage did not run or saw nothing), then each branch's own EMI values.
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
        var payload = results.Select(r =>
        {
            var columns = BundleColumnMap.For(r.Result);
            return new
            {
                recording = r.Recording,
                bundle = new { name = r.Result.BundleName, version = r.Result.BundleVersion, trained = r.Result.BundleTrained },
                execution_provider = r.Result.ExecutionProvider,
                duration_s = r.Result.DurationSeconds,
                has_audio = r.Result.HasAudio,
                has_video = r.Result.HasVideo,
                face_coverage = r.Result.Aggregate?.FaceCoverage,
                speech_coverage = r.Result.Aggregate?.SpeechCoverage,
                features = FeatureColumns.Names.Zip(CsvTimelineWriter.Features(r.Result)).ToDictionary(f => f.First, f => f.Second),
                emotions = r.Result.Emotions,
                vad = r.Result.VadNames,
                aggregate = r.Result.Aggregate is { } aggregate ? Window(columns, r.Result, aggregate) : null,
                windows = r.Result.Windows.Select(w => Window(columns, r.Result, w)),
            };
        });
        writer.WriteLine(JsonSerializer.Serialize(payload, s_options));
    }

    private static Dictionary<string, object?> Window(BundleColumnMap columns, ScoringResult result, TimelineWindow window)
    {
        var values = new Dictionary<string, object?>(ScoreColumns.Count + 4)
        {
            ["start_s"] = window.StartSeconds,
            ["end_s"] = window.EndSeconds,
        };
        for (var c = 0; c < ScoreColumns.Count; c++)
        {
            values[ScoreColumns.All[c].JsonName] = columns.Value(c, result, window);
        }

        values["audio_emi"] = window.AudioEmi;
        values["visual_emi"] = window.VisualEmi;
        return values;
    }
}
