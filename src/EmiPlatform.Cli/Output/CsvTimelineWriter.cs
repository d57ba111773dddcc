using System.IO.Pipelines;
using EmiPlatform.Csv;
using EmiPlatform.Inference.Scoring;

namespace EmiPlatform.Cli.Output;

/// <summary>
/// The timeline as CSV, one row per window, written by the platform's own <see cref="CsvWriter"/> (the same quoting,
/// numbers, booleans and formula rule as the API's export): recording,start_s,end_s,&lt;emotions&gt;,valence,arousal,
/// dominance,has_audio,has_video, then the per-branch values audio_&lt;emotion&gt;… and visual_&lt;emotion&gt;… (empty
/// where a branch has no prediction).
/// </summary>
internal sealed class CsvTimelineWriter(PipeWriter output, CsvFormulas formulas)
{
    private readonly CsvWriter csv = new(output, formulas);
    private bool headerWritten;

    public static string ColumnName(string label) => label.Trim().ToLowerInvariant().Replace(' ', '_').Replace('-', '_');

    public async Task WriteAsync(string recording, ScoringResult result, CancellationToken cancellationToken)
    {
        if (!headerWritten)
        {
            var emotions = result.Emotions.Select(ColumnName).ToArray();
            csv.Header(["recording", "start_s", "end_s", .. emotions, .. result.VadNames.Select(ColumnName), "has_audio", "has_video",
                .. emotions.Select(e => "audio_" + e), .. emotions.Select(e => "visual_" + e)]);
            headerWritten = true;
        }
        foreach (var w in result.Windows)
        {
            csv.Text(recording);
            csv.Number(w.StartSeconds);
            csv.Number(w.EndSeconds);
            Values(w.Emi, result.Emotions.Count);
            Values(w.Vad, result.VadNames.Count);
            csv.Boolean(result.HasAudio);
            csv.Boolean(result.HasVideo);
            Values(w.AudioEmi, result.Emotions.Count);
            Values(w.VisualEmi, result.Emotions.Count);
            csv.EndRow();
            await csv.FlushIfFullAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Values(IReadOnlyList<float>? values, int count)
    {
        for (var i = 0; i < count; i++)
        {
            csv.Number(values?[i]);
        }
    }
}
