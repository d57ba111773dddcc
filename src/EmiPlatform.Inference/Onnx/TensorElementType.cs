namespace EmiPlatform.Inference.Onnx;

/// <summary>The ONNX tensor element types the engine distinguishes (<c>ONNXTensorElementDataType</c> values).</summary>
public enum TensorElementType
{
    Undefined = 0,
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Bool = 9,
    Float16 = 10,
    Double = 11,
}
