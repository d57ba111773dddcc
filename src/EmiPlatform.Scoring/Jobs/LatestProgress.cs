using EmiPlatform.Inference.Scoring;

namespace EmiPlatform.Scoring.Jobs;

/// <summary>Keeps the pipeline's latest progress for the next heartbeat (reports arrive far more often than heartbeats).</summary>
internal sealed class LatestProgress : IProgress<ScoringProgress>
{
    private float _fraction;

    public float Fraction => Volatile.Read(ref _fraction);

    public void Report(ScoringProgress value) => Volatile.Write(ref _fraction, (float)value.Fraction);
}
