namespace EmiPlatform.Inference.Onnx;

/// <summary>
/// A float32 input tensor over caller-owned memory. The memory is pinned for the duration of the run and handed to
/// ONNX Runtime as is, without a copy.
/// </summary>
public readonly record struct OnnxInput(string Name, ReadOnlyMemory<float> Data, long[] Shape);
