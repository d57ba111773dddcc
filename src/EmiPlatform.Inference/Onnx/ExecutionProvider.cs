namespace EmiPlatform.Inference.Onnx;

/// <summary>Which execution provider sessions ask for (configuration key <c>Inference:ExecutionProvider</c>).</summary>
public enum ExecutionProvider
{
    /// <summary>CUDA when it loads and runs on every configured device; the CPU otherwise (said once, with the reason).</summary>
    Auto,
    Cpu,
    /// <summary>CUDA or fail at start: a worker configured for a GPU should not silently run on the CPU.</summary>
    Cuda,
}
