using EmiPlatform.Inference.Bundles;

namespace EmiPlatform.Inference.Scoring;

/// <summary>Scores one recording with one model bundle: decode, run both branches, fuse, window, aggregate.</summary>
public interface IScoringPipeline
{
    /// <param name="recordingPath">A local media file (ffmpeg needs to seek: mp4 indexes often sit at the end).</param>
    Task<ScoringResult> ScoreAsync(
        string recordingPath,
        ModelBundle bundle,
        ScoringOptions? options = null,
        IProgress<ScoringProgress>? progress = null,
        CancellationToken cancellationToken = default);
}
