using System.Globalization;
using EmiPlatform.Inference.Scoring;

namespace EmiPlatform.Cli.Output;

/// <summary>
/// The timeline as CSV, one row per window, columns as the platform's export names them:
/// recording,start_s,end_s,&lt;emotions&gt;,valence,arousal,dominance,has_audio,has_video, then the per-branch
/// values audio_&lt;emotion&gt;… and visual_&lt;emotion&gt;… (empty where a branch has no prediction).
/// </summary>
internal sealed class CsvTimelineWriter(TextWriter writer)
{
    private bool _headerWritten;

    public static string ColumnName(string label) => label.Trim().ToLowerInvariant().Replace(' ', '_').Replace('-', '_');

    public void Write(string recording, ScoringResult result)
    {
        var emotions = result.Emotions.Select(ColumnName).ToArray();
        if (!_headerWritten)
        {
            var header = new List<string> { "recording", "start_s", "end_s" };
            header.AddRange(emotions);
            header.AddRange(result.VadNames.Select(ColumnName));
            header.Add("has_audio");
            header.Add("has_video");
            header.AddRange(emotions.Select(e => "audio_" + e));
            header.AddRange(emotions.Select(e => "visual_" + e));
            writer.WriteLine(string.Join(',', header));
            _headerWritten = true;
        }

        var name = Quote(recording);
        foreach (var w in result.Windows)
        {
            var row = new List<string> { name, Number(w.StartSeconds), Number(w.EndSeconds) };
            row.AddRange(w.Emi.Select(v => Number(v)));
            row.AddRange(Values(w.Vad, result.VadNames.Count));
            row.Add(result.HasAudio ? "true" : "false");
            row.Add(result.HasVideo ? "true" : "false");
            row.AddRange(Values(w.AudioEmi, emotions.Length));
            row.AddRange(Values(w.VisualEmi, emotions.Length));
            writer.WriteLine(string.Join(',', row));
        }
    }

    private static IEnumerable<string> Values(IReadOnlyList<float>? values, int count) =>
        values is null ? Enumerable.Repeat(string.Empty, count) : values.Select(v => Number(v));

    private static string Number(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
