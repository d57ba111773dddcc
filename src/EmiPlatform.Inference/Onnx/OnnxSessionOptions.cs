namespace EmiPlatform.Inference.Onnx;

/// <summary>How a session is created: provider, thread count, graph optimisation.</summary>
public sealed record OnnxSessionOptions
{
    public ExecutionProvider ExecutionProvider { get; init; } = ExecutionProvider.Auto;

    /// <summary>Threads inside one operator; 0 lets ONNX Runtime choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    public GraphOptimization GraphOptimization { get; init; } = GraphOptimization.All;

    /// <summary>
    /// ONNX Runtime's CPU arena keeps the largest activations it ever allocated; off, activations are freed after
    /// each run. Long recordings with big segments stay flatter in memory without it.
    /// </summary>
    public bool CpuMemoryArena { get; init; } = true;

    /// <summary>
    /// Memory-pattern planning pre-allocates one block per input shape for the whole run; off by default because
    /// with 12 s segments of the base models it raised peak memory by ~200 MB at no measurable speed gain.
    /// </summary>
    public bool MemoryPattern { get; init; }

    /// <summary>
    /// Pre-packed GEMM weights are kept beside the originals (~200 MB more for the base audio model) for no
    /// measurable speed gain on our segment sizes, so pre-packing is off by default.
    /// </summary>
    public bool WeightPrepacking { get; init; }

    /// <summary>Extra session configuration entries (onnxruntime_session_options_config_keys.h).</summary>
    public IReadOnlyDictionary<string, string> ConfigEntries { get; init; } = new Dictionary<string, string>();

    /// <summary>CUDA device ordinal when the CUDA provider is used.</summary>
    public int CudaDeviceId { get; init; }
}
