using EmiPlatform.Inference.Onnx;

namespace EmiPlatform.Inference.Scoring;

/// <summary>A branch's session on one device and, when segments are batched across recordings, its shared batcher.</summary>
internal sealed record BranchModel(OnnxModel Model, SegmentBatcher? Batcher) : IDisposable
{
    public void Dispose()
    {
        Batcher?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Model.Dispose();
    }
}
