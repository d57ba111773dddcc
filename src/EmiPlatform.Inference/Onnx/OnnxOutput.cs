namespace EmiPlatform.Inference.Onnx;

/// <summary>A float32 output tensor copied out of ONNX Runtime's buffer (outputs are small: per-step scores).</summary>
public sealed record OnnxOutput(string Name, float[] Data, long[] Shape)
{
    /// <summary>Element at a row-major multi-index.</summary>
    public float this[params ReadOnlySpan<long> index]
    {
        get
        {
            long offset = 0;
            for (var i = 0; i < Shape.Length; i++)
            {
                offset = (offset * Shape[i]) + index[i];
            }

            return Data[offset];
        }
    }
}
