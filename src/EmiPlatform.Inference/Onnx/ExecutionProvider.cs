namespace EmiPlatform.Inference.Onnx;

/// <summary>Which execution provider sessions ask for (configuration key <c>Inference:ExecutionProvider</c>).</summary>
public enum ExecutionProvider
{
    /// <summary>CUDA when its provider libraries sit beside the native library and load; CPU otherwise.</summary>
    Auto,
    Cpu,
    /// <summary>CUDA or fail: a worker configured for a GPU should not silently run on the CPU.</summary>
    Cuda,
}
