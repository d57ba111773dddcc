using EmiPlatform.Inference.Onnx;

namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// A branch's sessions on one device — backbone (with its preprocess graph, if any) and head — and, when segments are
/// batched across recordings, its shared batcher.
/// </summary>
internal sealed class BranchModel : IDisposable
{
    public BranchModel(OnnxModel backbone, OnnxModel? preprocess, OnnxModel head, BranchStages stages, int segmentsPerCall)
    {
        Backbone = backbone;
        Preprocess = preprocess;
        Head = head;
        Stages = stages;
        Batcher = segmentsPerCall > 1 ? new SegmentBatcher(this, segmentsPerCall) : null;
    }

    public OnnxModel Backbone { get; }

    public OnnxModel? Preprocess { get; }

    public OnnxModel Head { get; }

    public BranchStages Stages { get; }

    public SegmentBatcher? Batcher { get; }

    /// <summary>The session whose device and provider a result reports.</summary>
    public OnnxModel Model => Backbone;

    public StagedRunner CreateRunner() => new(this);

    public void Dispose()
    {
        Batcher?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Backbone.Dispose();
        Preprocess?.Dispose();
        Head.Dispose();
    }
}
