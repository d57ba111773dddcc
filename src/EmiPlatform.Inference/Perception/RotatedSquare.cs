using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EmiPlatform.Inference.Faces;

namespace EmiPlatform.Inference.Perception;

/// <summary>
/// Bilinear sampling of a turned square (a <see cref="FaceMeshCrop"/>) of an rgb24 frame onto an n × n grid, with
/// half-pixel centres and black outside the frame, as <see cref="Bilinear"/> samples upright rectangles.
/// </summary>
internal static class RotatedSquare
{
    public static void Sample<TWriter>(ReadOnlySpan<byte> image, int size, FaceMeshCrop crop, int outSize, ref TWriter write)
        where TWriter : struct, IPixelWriter, allows ref struct
    {
        if (image.Length < size * size * 3)
        {
            throw new ArgumentException($"An rgb24 image of side {size} has {size * size * 3} bytes, not {image.Length}.", nameof(image));
        }

        // Frame position (in pixel-index coordinates, hence the -0.5) of output pixel (ox, oy)'s centre:
        // origin + ox * dx + oy * dy.
        var (cos, sin) = (Math.Cos(crop.Angle), Math.Sin(crop.Angle));
        var step = crop.Side / outSize;
        var (x0, y0) = crop.ToFrame(0.5, 0.5, outSize);
        x0 -= 0.5;
        y0 -= 0.5;
        ref var origin = ref MemoryMarshal.GetReference(image);
        var stride = size * 3;
        for (var oy = 0; oy < outSize; oy++)
        {
            var rowX = x0 - (oy * step * sin);
            var rowY = y0 + (oy * step * cos);
            var p = oy * outSize;
            for (var ox = 0; ox < outSize; ox++, p++)
            {
                var x = rowX + (ox * step * cos);
                var y = rowY + (ox * step * sin);
                var xi = (int)Math.Floor(x);
                var yi = (int)Math.Floor(y);
                var fx = (float)(x - xi);
                var fy = (float)(y - yi);
                if (xi >= 0 && yi >= 0 && xi + 1 < size && yi + 1 < size)
                {
                    ref var a = ref Unsafe.Add(ref origin, (yi * stride) + (xi * 3));
                    ref var b = ref Unsafe.Add(ref a, stride);
                    for (var c = 0; c < 3; c++)
                    {
                        float p00 = Unsafe.Add(ref a, c), p10 = Unsafe.Add(ref a, c + 3);
                        float p01 = Unsafe.Add(ref b, c), p11 = Unsafe.Add(ref b, c + 3);
                        var top = p00 + (fx * (p10 - p00));
                        var bottom = p01 + (fx * (p11 - p01));
                        write.Write(p, c, top + (fy * (bottom - top)));
                    }
                }
                else
                {
                    for (var c = 0; c < 3; c++)
                    {
                        var p00 = Pixel(image, size, xi, yi, c);
                        var p10 = Pixel(image, size, xi + 1, yi, c);
                        var p01 = Pixel(image, size, xi, yi + 1, c);
                        var p11 = Pixel(image, size, xi + 1, yi + 1, c);
                        var top = p00 + (fx * (p10 - p00));
                        var bottom = p01 + (fx * (p11 - p01));
                        write.Write(p, c, top + (fy * (bottom - top)));
                    }
                }
            }
        }
    }

    private static float Pixel(ReadOnlySpan<byte> image, int size, int x, int y, int c) =>
        x < 0 || y < 0 || x >= size || y >= size ? 0f : image[(((y * size) + x) * 3) + c];
}
