using EmiPlatform.Inference.Onnx;

namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// Every session a bundle needs on one device: its branches, its face stage's models (detector, AU model, FaceMesh,
/// expression classifier) and its speech stage; null where it has none.
/// </summary>
internal sealed record BundleModels(
    BranchModel? Audio,
    BranchModel? Visual,
    OnnxModel? Face,
    OnnxModel? ActionUnits,
    OnnxModel? Speech = null,
    OnnxModel? Landmarks = null,
    OnnxModel? Expressions = null) : IDisposable
{
    public void Dispose()
    {
        foreach (var model in (IDisposable?[])[Audio, Visual, Face, ActionUnits, Speech, Landmarks, Expressions])
        {
            model?.Dispose();
        }
    }
}
