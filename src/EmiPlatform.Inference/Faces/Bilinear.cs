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
    public static void Sample<TWriter>(ReadOnlySpan<byte> image, int size, double left, double top, double width, double height, int outHeight, int outWidth, ref TWriter write)
        where TWriter : struct, IPixelWriter, allows ref struct
    {
        var sx = width / outWidth;
        var sy = height / outHeight;
        for (var oy = 0; oy < outHeight; oy++)
        {
            var y = top + ((oy + 0.5) * sy) - 0.5;
            var y0 = (int)Math.Floor(y);
            var fy = (float)(y - y0);
            for (var ox = 0; ox < outWidth; ox++)
            {
                var x = left + ((ox + 0.5) * sx) - 0.5;
                var x0 = (int)Math.Floor(x);
                var fx = (float)(x - x0);
                var p = (oy * outWidth) + ox;
                for (var c = 0; c < 3; c++)
                {
                    var top0 = Pixel(image, size, x0, y0, c) + (fx * (Pixel(image, size, x0 + 1, y0, c) - Pixel(image, size, x0, y0, c)));
                    var bottom0 = Pixel(image, size, x0, y0 + 1, c) + (fx * (Pixel(image, size, x0 + 1, y0 + 1, c) - Pixel(image, size, x0, y0 + 1, c)));
                    write.Write(p, c, top0 + (fy * (bottom0 - top0)));
                }
            }
        }
    }

    private static float Pixel(ReadOnlySpan<byte> image, int size, int x, int y, int c) =>
        x < 0 || y < 0 || x >= size || y >= size ? 0f : image[(((y * size) + x) * 3) + c];
}
