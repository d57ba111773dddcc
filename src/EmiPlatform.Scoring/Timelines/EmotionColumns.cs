using EmiPlatform.Inference.Bundles;

namespace EmiPlatform.Scoring.Timelines;

/// <summary>
/// Where each of the schema's six emotion columns (and three VAD columns) sits in a bundle's output order. Bundles
/// name their outputs; the schema fixes the columns, so the mapping is by name, never by position.
/// </summary>
public sealed class EmotionColumns
{
    public static readonly string[] Emotions = ["admiration", "amusement", "determination", "empathic_pain", "excitement", "joy"];
    public static readonly string[] VadNames = ["valence", "arousal", "dominance"];

    private EmotionColumns(int[] emotion, int[] vad)
    {
        Emotion = emotion;
        Vad = vad;
    }

    /// <summary>Index in the bundle's emotion list of each column in <see cref="Emotions"/>.</summary>
    public IReadOnlyList<int> Emotion { get; }

    /// <summary>Index in the bundle's VAD list of each column in <see cref="VadNames"/>; -1 where the bundle has none.</summary>
    public IReadOnlyList<int> Vad { get; }

    public static EmotionColumns For(ModelBundle bundle)
    {
        var emotions = bundle.Emotions.Select(Normalise).ToList();
        var missing = Emotions.Where(e => !emotions.Contains(e)).ToList();
        if (missing.Count > 0)
        {
            throw new ModelBundleException(
                $"Bundle {bundle.Name} {bundle.Version} has no output for {string.Join(", ", missing)}; the platform stores the six EMI dimensions.");
        }
        var vad = bundle.Vad.Select(Normalise).ToList();
        return new EmotionColumns([.. Emotions.Select(e => emotions.IndexOf(e))], [.. VadNames.Select(v => vad.IndexOf(v))]);
    }

    private static string Normalise(string name) =>
        name.Trim().ToLowerInvariant().Replace(' ', '_').Replace('-', '_');
}
