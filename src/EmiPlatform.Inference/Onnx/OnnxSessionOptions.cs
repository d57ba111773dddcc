namespace EmiPlatform.Inference.Onnx;

/// <summary>How a session is created: provider, thread count, graph optimisation.</summary>
public sealed record OnnxSessionOptions
{
    public ExecutionProvider ExecutionProvider { get; init; } = ExecutionProvider.Auto;

    /// <summary>Threads inside one operator; 0 lets ONNX Runtime choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    public GraphOptimization GraphOptimization { get; init; } = GraphOptimization.All;

    /// <summary>CUDA device ordinal when the CUDA provider is used.</summary>
    public int CudaDeviceId { get; init; }
}
