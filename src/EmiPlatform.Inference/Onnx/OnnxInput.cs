namespace EmiPlatform.Inference.Onnx;

/// <summary>
/// A float32 input tensor over caller-owned memory (a pooled segment buffer). ONNX Runtime reads it in place: the
/// memory is pinned for the run and wrapped by an <c>OrtValue</c> without a copy (on CUDA, binding copies it to
/// the device once).
/// </summary>
public readonly record struct OnnxInput(string Name, Memory<float> Data, long[] Shape);
