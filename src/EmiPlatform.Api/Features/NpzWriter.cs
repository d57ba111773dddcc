using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace EmiPlatform.Api.Features;

/// <summary>
/// Writes NumPy's NPZ (a ZIP of .npy arrays, format 1.0) without NumPy: what <c>numpy.load</c> reads with no extra
/// packages and no pickles. Only the dtypes the feature files use: float16, float64, int64, bool and unicode scalars.
/// </summary>
public sealed class NpzWriter(Stream destination) : IDisposable
{
    private readonly ZipArchive _zip = new(destination, ZipArchiveMode.Create, leaveOpen: true);

    public void Half(string name, Half[] values, params long[] shape) =>
        Write(name, "<f2", shape, values.Length * 2, span =>
        {
            for (var i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteHalfLittleEndian(span[(i * 2)..], values[i]);
            }
        });

    public void Float64(string name, double value) =>
        Write(name, "<f8", [], 8, span => BinaryPrimitives.WriteDoubleLittleEndian(span, value));

    public void Float64(string name, double[] values) =>
        Write(name, "<f8", [values.Length], values.Length * 8, span =>
        {
            for (var i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(span[(i * 8)..], values[i]);
            }
        });

    public void Int64(string name, long[] values, params long[] shape) =>
        Write(name, "<i8", shape, values.Length * 8, span =>
        {
            for (var i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(span[(i * 8)..], values[i]);
            }
        });

    public void Bool(string name, bool[] values) =>
        Write(name, "|b1", [values.Length], values.Length, span =>
        {
            for (var i = 0; i < values.Length; i++)
            {
                span[i] = values[i] ? (byte)1 : (byte)0;
            }
        });

    /// <summary>A unicode scalar (numpy <c>&lt;U n</c>, UTF-32 little-endian): <c>str(z[name])</c> gives it back.</summary>
    public void Text(string name, string value)
    {
        var runes = value.EnumerateRunes().ToArray();
        var length = Math.Max(1, runes.Length);
        Write(name, $"<U{length}", [], length * 4, span =>
        {
            for (var i = 0; i < runes.Length; i++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(span[(i * 4)..], runes[i].Value);
            }
        });
    }

    private delegate void Fill(Span<byte> data);

    private void Write(string name, string descr, long[] shape, int dataBytes, Fill fill)
    {
        var dims = shape.Length switch
        {
            0 => "()",
            1 => $"({shape[0].ToString(CultureInfo.InvariantCulture)},)",
            _ => "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")",
        };
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {dims}, }}";
        // Magic (6) + version (2) + header length (2) + header + '\n', padded with spaces to a multiple of 64.
        var total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + ((64 - (total % 64)) % 64)) + "\n";
        var bytes = new byte[10 + header.Length + dataBytes];
        bytes[0] = 0x93;
        "NUMPY"u8.CopyTo(bytes.AsSpan(1));
        bytes[6] = 1;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header, bytes.AsSpan(10));
        fill(bytes.AsSpan(10 + header.Length));
        // Stored, as numpy.savez writes them: features are half floats that hardly compress.
        using var entry = _zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression).Open();
        entry.Write(bytes);
    }

    public void Dispose() => _zip.Dispose();
}
