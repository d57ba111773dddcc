using EmiPlatform.Inference.Onnx;

namespace EmiPlatform.Inference;

/// <summary>Configuration section <c>Inference</c> of the platform.</summary>
public sealed class InferenceOptions
{
    public const string SectionName = "Inference";

    /// <summary>Path of libonnxruntime.so.1; empty falls back to EMI_ORT_LIBRARY.</summary>
    public string? OnnxRuntimeLibrary { get; set; }

    public ExecutionProvider ExecutionProvider { get; set; } = ExecutionProvider.Auto;

    /// <summary>Threads per ONNX Runtime operator; 0 lets ONNX Runtime choose.</summary>
    public int IntraOpThreads { get; set; }
}
