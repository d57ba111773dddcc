using System.Buffers;
using System.Text;
using EmiPlatform.Csv;
using EmiPlatform.Inference.Columns;
using EmiPlatform.Inference.Scoring;
using EmiPlatform.Results;

namespace EmiPlatform.Cli.Output;

/// <summary>
/// The timeline as CSV, one row per window, written by the platform's own <see cref="CsvWriter"/> (the same quoting,
/// numbers, booleans and formula rule as the API's export) with the platform's columns (<see cref="ScoreColumns"/>):
/// recording,start_s,end_s,&lt;score columns, has_audio and has_video among them&gt;, then the per-branch values
/// audio_&lt;emotion&gt;… and visual_&lt;emotion&gt;… (empty where a branch has no prediction), then the feature
/// provenance (<see cref="FeatureColumns"/>: which backbone made each branch's features; offline they are never cached). Rows are encoded into
/// a buffer and handed to the text writer (stdout or a file) every 64 KiB and at the end of each recording.
/// </summary>
internal sealed class CsvTimelineWriter(TextWriter output, CsvFormulas formulas)
{
    private const int FlushBytes = 64 * 1024;

    private static readonly int[] EmotionColumns =
        [.. Enumerable.Range(0, ScoreColumns.Count).Where(c => ScoreColumns.All[c].Source == ScoreSource.Emotion)];

    private readonly ArrayBufferWriter<byte> buffer = new();
    private CsvWriter? csv;
    private bool headerWritten;

    public async Task WriteAsync(string recording, ScoringResult result, CancellationToken cancellationToken)
    {
        var columns = BundleColumnMap.For(result);
        csv ??= new CsvWriter(buffer, formulas);
        if (!headerWritten)
        {
            csv.Header(["recording", "start_s", "end_s", .. ScoreColumns.Names,
                .. ScoreColumns.Emotions.Select(e => "audio_" + e), .. ScoreColumns.Emotions.Select(e => "visual_" + e), .. FeatureColumns.Names]);
            headerWritten = true;
        }
        var features = Features(result);
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
            csv.Values(features);
            csv.EndRow();
            if (buffer.WrittenCount >= FlushBytes)
            {
                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public static object?[] Features(ScoringResult result) =>
        FeatureColumns.Values(result.Features.Select(f => (f.Branch, f.BackboneSha256, f.FromCache)));

    // Every flush ends on a row end, so no UTF-8 sequence is ever split.
    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        await output.WriteAsync(Encoding.UTF8.GetString(buffer.WrittenSpan).AsMemory(), cancellationToken).ConfigureAwait(false);
        buffer.ResetWrittenCount();
    }
}
