using System.Buffers.Binary;

namespace EmiPlatform.Bench;

/// <summary>
/// A valid WAV file of any size: a 44-byte PCM header (16 kHz, mono, 16 bit) and deterministic noise samples, so the
/// API's ffprobe and tail-decode checks accept it while the bytes stay incompressible. 10^9 bytes ≈ 8.7 h of audio.
/// </summary>
public static class WavPayload
{
    private const int SampleRate = 16_000;
    private const int HeaderBytes = 44;

    public static async Task EnsureAsync(string path, long totalBytes, CancellationToken cancellationToken = default)
    {
        if (File.Exists(path) && new FileInfo(path).Length == totalBytes)
        {
            return;
        }
        var dataBytes = (totalBytes - HeaderBytes) & ~1L;
        if (dataBytes <= 0 || dataBytes + HeaderBytes > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(totalBytes), "a WAV file holds between 46 bytes and 4 GiB");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".partial";
        await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true))
        {
            await file.WriteAsync(Header(dataBytes), cancellationToken);
            var chunk = new byte[4 * 1024 * 1024];
            var random = new Random(20261122);
            for (long written = 0; written < dataBytes; written += chunk.Length)
            {
                random.NextBytes(chunk);
                await file.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, dataBytes - written)), cancellationToken);
            }
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>A short recording in memory: <paramref name="seconds"/> of noise from <paramref name="seed"/>, so every seed gives other bytes (uploads are de-duplicated by hash).</summary>
    public static byte[] Noise(double seconds, int seed)
    {
        var dataBytes = (long)(seconds * SampleRate) * 2;
        var bytes = new byte[HeaderBytes + dataBytes];
        Header(dataBytes).CopyTo(bytes, 0);
        new Random(seed).NextBytes(bytes.AsSpan(HeaderBytes));
        return bytes;
    }

    private static byte[] Header(long dataBytes)
    {
        var h = new byte[HeaderBytes];
        "RIFF"u8.CopyTo(h);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(4), (uint)(36 + dataBytes));
        "WAVEfmt "u8.CopyTo(h.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(16), 16);          // fmt chunk size
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(20), 1);           // PCM
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(22), 1);           // mono
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(24), SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(28), SampleRate * 2); // byte rate
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(32), 2);           // block align
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(34), 16);          // bits per sample
        "data"u8.CopyTo(h.AsSpan(36));
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(40), (uint)dataBytes);
        return h;
    }
}
