namespace EmiPlatform.Inference.Faces;

/// <summary>Receives <see cref="Bilinear"/>'s samples (a struct, so the per-pixel call is inlined).</summary>
internal interface IPixelWriter
{
    void Write(int pixel, int channel, float value);
}
