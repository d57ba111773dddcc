using System.IO.Pipelines;
using EmiPlatform.Csv;
using EmiPlatform.Inference.Columns;
using EmiPlatform.Inference.Scoring;

namespace EmiPlatform.Cli.Output;

/// <summary>
/// The timeline as CSV, one row per window, written by the platform's own <see cref="CsvWriter"/> (the same quoting,
/// numbers, booleans and formula rule as the API's export) with the platform's columns (<see cref="ScoreColumns"/>):
/// recording,start_s,end_s,&lt;score columns, has_audio and has_video among them&gt;, then the per-branch values
/// audio_&lt;emotion&gt;… and visual_&lt;emotion&gt;… (empty where a branch has no prediction).
/// </summary>
internal sealed class CsvTimelineWriter(PipeWriter output, CsvFormulas formulas)
{
    private static readonly int[] EmotionColumns =
        [.. Enumerable.Range(0, ScoreColumns.Count).Where(c => ScoreColumns.All[c].Source == ScoreSource.Emotion)];

    private readonly CsvWriter csv = new(output, formulas);
    private bool headerWritten;

    public async Task WriteAsync(string recording, ScoringResult result, CancellationToken cancellationToken)
    {
        var columns = BundleColumnMap.For(result);
        if (!headerWritten)
        {
            csv.Header(["recording", "start_s", "end_s", .. ScoreColumns.Names,
                .. ScoreColumns.Emotions.Select(e => "audio_" + e), .. ScoreColumns.Emotions.Select(e => "visual_" + e)]);
            headerWritten = true;
        }
        foreach (var w in result.Windows)
        {
            csv.Text(recording);
            csv.Number(w.StartSeconds);
            csv.Number(w.EndSeconds);
            for (var c = 0; c < ScoreColumns.Count; c++)
            {
                csv.Value(columns.Value(c, result, w));
            }
            foreach (var c in EmotionColumns)
            {
                csv.Number(columns.BranchValue(c, w.AudioEmi));
            }
            foreach (var c in EmotionColumns)
            {
                csv.Number(columns.BranchValue(c, w.VisualEmi));
            }
            csv.EndRow();
            await csv.FlushIfFullAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
