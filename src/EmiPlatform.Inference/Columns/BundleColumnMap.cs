using EmiPlatform.Bundles;
using EmiPlatform.Inference.Perception;
using EmiPlatform.Inference.Scoring;
using EmiPlatform.Results;

namespace EmiPlatform.Inference.Columns;

/// <summary>
/// Where each of <see cref="ScoreColumns.All"/> sits in one bundle's output order. Bundles name their outputs and the
/// platform fixes the columns, so the mapping is by name, never by position.
/// </summary>
public sealed class BundleColumnMap
{
    // Per column: the index into the bundle's list for the column's source; -1 where the bundle has none.
    private readonly int[] _index;

    private BundleColumnMap(int[] index) => _index = index;

    public static BundleColumnMap For(ModelBundle bundle) => For(bundle.Emotions, bundle.Vad, $"Bundle {bundle.Name} {bundle.Version}");

    public static BundleColumnMap For(ScoringResult result) => For(result.Emotions, result.VadNames, $"Bundle {result.BundleName} {result.BundleVersion}");

    private static BundleColumnMap For(IReadOnlyList<string> emotions, IReadOnlyList<string> vad, string bundle)
    {
        var emotionNames = emotions.Select(Normalise).ToList();
        var vadNames = vad.Select(Normalise).ToList();
        var index = ScoreColumns.All.Select(c => c.Source switch
        {
            ScoreSource.Emotion => emotionNames.IndexOf(c.Name),
            ScoreSource.Vad => vadNames.IndexOf(c.Name),
            ScoreSource.Descriptor or ScoreSource.Expression => PerceptionIndex(c.Name),
            _ => -1,
        }).ToArray();
        var missing = ScoreColumns.All.Where((c, i) => c.Source == ScoreSource.Emotion && index[i] < 0).Select(c => c.Name).ToList();
        if (missing.Count > 0)
        {
            throw new ModelBundleException($"{bundle} has no output for {string.Join(", ", missing)}; the platform stores the six EMI dimensions.");
        }
        return new BundleColumnMap(index);
    }

    /// <summary>
    /// The value of column <paramref name="column"/> (an index of <see cref="ScoreColumns.All"/>) in a window or the
    /// aggregate of <paramref name="result"/>: a <see cref="float"/>, a <see cref="bool"/> for flags, or null.
    /// </summary>
    public object? Value(int column, ScoringResult result, TimelineWindow window) => ScoreColumns.All[column].Source switch
    {
        ScoreSource.Emotion => window.Emi[_index[column]],
        ScoreSource.Vad => Pick(window.Vad, _index[column]),
        // Per window (for the aggregate: any window), did that branch predict here; the recording's having the stream
        // is not enough: a video whose face is not seen in a window has no visual prediction there (face_coverage 0).
        ScoreSource.HasAudio => result.HasAudio && window.AudioEmi is not null,
        ScoreSource.HasVideo => result.HasVideo && window.VisualEmi is not null,
        ScoreSource.FaceCoverage => (float?)window.FaceCoverage,
        ScoreSource.SpeechCoverage => (float?)window.SpeechCoverage,
        ScoreSource.FaceConfidence => (float?)window.FaceConfidence,
        ScoreSource.Descriptor or ScoreSource.Expression => Pick(window.Perception, _index[column]) is { } value && float.IsFinite(value) ? value : null,
        var source => throw new InvalidOperationException($"No value for {source}."),
    };

    /// <summary>A branch's own prediction for an emotion column (null without that branch).</summary>
    public float? BranchValue(int column, IReadOnlyList<float>? branch) =>
        ScoreColumns.All[column].Source == ScoreSource.Emotion ? Pick(branch, _index[column]) : null;

    /// <summary>Where a perception column sits in a window's perception means; every such column is measured by the engine.</summary>
    private static int PerceptionIndex(string name) =>
        FacePerception.Columns.ToList().IndexOf(name) is var index and >= 0
            ? index
            : throw new InvalidOperationException($"Score column {name} is not one of the face perception's columns ({string.Join(", ", FacePerception.Columns)}).");

    private static float? Pick(IReadOnlyList<float>? values, int index) => values is not null && index >= 0 ? values[index] : null;

    private static string Normalise(string name) =>
        name.Trim().ToLowerInvariant().Replace(' ', '_').Replace('-', '_');
}
