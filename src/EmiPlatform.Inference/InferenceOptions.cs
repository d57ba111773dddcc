using EmiPlatform.Inference.Onnx;

namespace EmiPlatform.Inference;

/// <summary>Configuration section <c>Inference</c> of the platform (docs/inference.md).</summary>
public sealed class InferenceOptions
{
    public const string SectionName = "Inference";

    public ExecutionProvider ExecutionProvider { get; set; } = ExecutionProvider.Auto;

    /// <summary>Threads per ONNX Runtime operator; 0 lets ONNX Runtime choose.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>CUDA devices the scoring slots spread over; empty: every GPU the NVIDIA driver lists.</summary>
    public int[] CudaDevices { get; set; } = [];

    /// <summary>Megabytes the CUDA arena of one device may hold; 0: no limit.</summary>
    public long GpuMemoryLimitMb { get; set; }

    /// <summary>Equal-length segments per call on CUDA (0: the engine's default, 8).</summary>
    public int CudaSegmentsPerCall { get; set; }
}
