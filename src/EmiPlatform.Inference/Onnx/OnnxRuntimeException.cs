namespace EmiPlatform.Inference.Onnx;

/// <summary>An error reported by ONNX Runtime (its own message and code) or by the binding around it.</summary>
public sealed class OnnxRuntimeException : Exception
{
    public OnnxRuntimeException(string message, OrtErrorCode code = OrtErrorCode.Fail)
        : base(message) => Code = code;

    public OnnxRuntimeException(string message, Exception inner)
        : base(message, inner) => Code = OrtErrorCode.Fail;

    public OrtErrorCode Code { get; }
}
