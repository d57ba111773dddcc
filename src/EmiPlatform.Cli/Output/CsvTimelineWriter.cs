using System.Globalization;
using EmiPlatform.Inference.Columns;
using EmiPlatform.Inference.Scoring;

namespace EmiPlatform.Cli.Output;

/// <summary>
/// The timeline as CSV, one row per window, with the platform's export columns (<see cref="ScoreColumns"/>):
/// recording,start_s,end_s,&lt;score columns, has_audio and has_video among them&gt;, then the per-branch values
/// audio_&lt;emotion&gt;… and visual_&lt;emotion&gt;… (empty where a branch has no prediction).
/// </summary>
internal sealed class CsvTimelineWriter(TextWriter writer)
{
    private static readonly int[] EmotionColumns =
        [.. Enumerable.Range(0, ScoreColumns.Count).Where(c => ScoreColumns.All[c].Source == ScoreSource.Emotion)];

    private bool _headerWritten;

    public void Write(string recording, ScoringResult result)
    {
        var columns = BundleColumnMap.For(result);
        if (!_headerWritten)
        {
            var header = new List<string> { "recording", "start_s", "end_s" };
            header.AddRange(ScoreColumns.Names);
            header.AddRange(ScoreColumns.Emotions.Select(e => "audio_" + e));
            header.AddRange(ScoreColumns.Emotions.Select(e => "visual_" + e));
            writer.WriteLine(string.Join(',', header));
            _headerWritten = true;
        }

        var name = Quote(recording);
        foreach (var w in result.Windows)
        {
            var row = new List<string> { name, Number(w.StartSeconds), Number(w.EndSeconds) };
            row.AddRange(Enumerable.Range(0, ScoreColumns.Count).Select(c => Cell(columns.Value(c, result, w))));
            row.AddRange(EmotionColumns.Select(c => Number(columns.BranchValue(c, w.AudioEmi))));
            row.AddRange(EmotionColumns.Select(c => Number(columns.BranchValue(c, w.VisualEmi))));
            writer.WriteLine(string.Join(',', row));
        }
    }

    private static string Cell(object? value) => value switch
    {
        bool flag => flag ? "true" : "false",
        float v => Number(v),
        _ => string.Empty,
    };

    private static string Number(double? value) => value?.ToString("0.######", CultureInfo.InvariantCulture) ?? string.Empty;

    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
