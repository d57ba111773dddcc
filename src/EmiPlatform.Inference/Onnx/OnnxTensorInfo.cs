namespace EmiPlatform.Inference.Onnx;

/// <summary>
/// A model input or output as the session reports it. Dynamic axes have dimension -1 and, where the model names
/// them, a symbolic name (e.g. "batch").
/// </summary>
public sealed record OnnxTensorInfo(string Name, TensorElementType ElementType, IReadOnlyList<long> Shape, IReadOnlyList<string> SymbolicShape);
