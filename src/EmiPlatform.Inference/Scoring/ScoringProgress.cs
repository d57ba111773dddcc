namespace EmiPlatform.Inference.Scoring;

/// <summary>Seconds of the recording scored so far (averaged over the branches that run).</summary>
public readonly record struct ScoringProgress(double ScoredSeconds, double TotalSeconds)
{
    public double Fraction => TotalSeconds > 0 ? Math.Clamp(ScoredSeconds / TotalSeconds, 0, 1) : 0;
}
