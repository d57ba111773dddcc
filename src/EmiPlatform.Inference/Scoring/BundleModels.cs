using EmiPlatform.Inference.Onnx;

namespace EmiPlatform.Inference.Scoring;

/// <summary>Every session a bundle needs on one device: its branches and its face stage's models (null where it has none).</summary>
internal sealed record BundleModels(BranchModel? Audio, BranchModel? Visual, OnnxModel? Face, OnnxModel? ActionUnits) : IDisposable
{
    public void Dispose()
    {
        Audio?.Dispose();
        Visual?.Dispose();
        Face?.Dispose();
        ActionUnits?.Dispose();
    }
}
