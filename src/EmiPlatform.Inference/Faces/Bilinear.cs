using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EmiPlatform.Inference.Faces;

/// <summary>
/// Bilinear sampling of an rgb24 image with half-pixel centres; outside the image is black. ml/emi_ml/faces.py
/// samples the same way, which is what makes serving's and training's crops the same pixels.
/// </summary>
internal static class Bilinear
{
    /// <summary>
    /// Samples the rectangle [left, left + width) × [top, top + height) (source pixels) onto an outHeight × outWidth
    /// grid and hands each sample's R, G, B (0..255) to <paramref name="write"/> with its output pixel index.
    /// </summary>
    /// <remarks>
    /// The column positions are computed once per call, and samples whose four neighbours lie inside the image are
    /// read without per-pixel bounds tests (the detector's letterbox spends most of its time here); the arithmetic,
    /// and so every sample, is the same as the bounds-tested path's.
    /// </remarks>
    public static void Sample<TWriter>(ReadOnlySpan<byte> image, int size, double left, double top, double width, double height, int outHeight, int outWidth, ref TWriter write)
        where TWriter : struct, IPixelWriter, allows ref struct
    {
        if (image.Length < size * size * 3)
        {
            throw new ArgumentException($"An rgb24 image of side {size} has {size * size * 3} bytes, not {image.Length}.", nameof(image));
        }

        var sx = width / outWidth;
        var sy = height / outHeight;
        var columns = outWidth <= 1024 ? stackalloc int[outWidth] : new int[outWidth];
        var weights = outWidth <= 1024 ? stackalloc float[outWidth] : new float[outWidth];
        for (var ox = 0; ox < outWidth; ox++)
        {
            var x = left + ((ox + 0.5) * sx) - 0.5;
            var x0 = (int)Math.Floor(x);
            columns[ox] = x0;
            weights[ox] = (float)(x - x0);
        }

        ref var origin = ref MemoryMarshal.GetReference(image);
        var stride = size * 3;
        for (var oy = 0; oy < outHeight; oy++)
        {
            var y = top + ((oy + 0.5) * sy) - 0.5;
            var y0 = (int)Math.Floor(y);
            var fy = (float)(y - y0);
            var rowInside = y0 >= 0 && y0 + 1 < size;
            var p = oy * outWidth;
            for (var ox = 0; ox < outWidth; ox++, p++)
            {
                var x0 = columns[ox];
                var fx = weights[ox];
                if (rowInside && x0 >= 0 && x0 + 1 < size)
                {
                    ref var a = ref Unsafe.Add(ref origin, (y0 * stride) + (x0 * 3));
                    ref var b = ref Unsafe.Add(ref a, stride);
                    for (var c = 0; c < 3; c++)
                    {
                        float p00 = Unsafe.Add(ref a, c), p10 = Unsafe.Add(ref a, c + 3);
                        float p01 = Unsafe.Add(ref b, c), p11 = Unsafe.Add(ref b, c + 3);
                        var top0 = p00 + (fx * (p10 - p00));
                        var bottom0 = p01 + (fx * (p11 - p01));
                        write.Write(p, c, top0 + (fy * (bottom0 - top0)));
                    }
                }
                else
                {
                    for (var c = 0; c < 3; c++)
                    {
                        var top0 = Pixel(image, size, x0, y0, c) + (fx * (Pixel(image, size, x0 + 1, y0, c) - Pixel(image, size, x0, y0, c)));
                        var bottom0 = Pixel(image, size, x0, y0 + 1, c) + (fx * (Pixel(image, size, x0 + 1, y0 + 1, c) - Pixel(image, size, x0, y0 + 1, c)));
                        write.Write(p, c, top0 + (fy * (bottom0 - top0)));
                    }
                }
            }
        }
    }

    /// <summary>The whole image resampled to side <paramref name="outSize"/>, NHWC RGB in [-1, 1] (BlazeFace's input).</summary>
    public static void SampleSignedUnit(ReadOnlySpan<byte> image, int size, int outSize, float[] destination)
    {
        var writer = new SignedUnitWriter(destination);
        Sample(image, size, 0, 0, size, size, outSize, outSize, ref writer);
    }

    private static float Pixel(ReadOnlySpan<byte> image, int size, int x, int y, int c) =>
        x < 0 || y < 0 || x >= size || y >= size ? 0f : image[(((y * size) + x) * 3) + c];

    private readonly struct SignedUnitWriter(float[] input) : IPixelWriter
    {
        public void Write(int pixel, int channel, float value) => input[(pixel * 3) + channel] = (value / 127.5f) - 1f;
    }
}
