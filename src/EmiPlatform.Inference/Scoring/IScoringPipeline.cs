using EmiPlatform.Bundles;
using EmiPlatform.Media;

namespace EmiPlatform.Inference.Scoring;

/// <summary>Scores one recording with one model bundle: decode, run both branches, fuse, window, aggregate.</summary>
public interface IScoringPipeline
{
    /// <summary>Where the models run (CPU, or which CUDA devices), decided when the pipeline was created.</summary>
    Onnx.InferencePlacement Placement { get; }

    /// <param name="recordingPath">A local media file (ffmpeg needs to seek: mp4 indexes often sit at the end).</param>
    Task<ScoringResult> ScoreAsync(
        string recordingPath,
        ModelBundle bundle,
        ScoringOptions? options = null,
        IProgress<ScoringProgress>? progress = null,
        CancellationToken cancellationToken = default);

    /// <summary>Scores a recording already probed (<see cref="MediaInfo.Path"/> is the local file): no ffprobe runs.</summary>
    Task<ScoringResult> ScoreAsync(
        MediaInfo media,
        ModelBundle bundle,
        ScoringOptions? options = null,
        IProgress<ScoringProgress>? progress = null,
        CancellationToken cancellationToken = default);
}
