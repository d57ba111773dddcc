using System.Buffers.Binary;
using System.Text;

namespace EmiPlatform.Testing.Media;

/// <summary>
/// Small files in accepted containers whose headers declare more than the platform's default media limits allow, made with
/// ffmpeg and then patched in their fixed-size header fields: what a hostile uploader would craft.
/// </summary>
public static class OutOfBoundsMedia
{
    /// <summary>Name → (file name, what it declares, how to make it under a folder).</summary>
    public static IReadOnlyDictionary<string, (string FileName, string Declares, Func<string, byte[]> Make)> All { get; } =
        new Dictionary<string, (string, string, Func<string, byte[]>)>(StringComparer.Ordinal)
        {
            ["huge-frames"] = ("huge-frames.avi", "60000×4000", folder => PatchAvi(folder, "huge-frames.avi", width: 60000, height: 4000)),
            ["fast-frames"] = ("fast-frames.avi", "100000 frames per second", folder => PatchAvi(folder, "fast-frames.avi", rate: 100_000)),
            ["ten-thousand-hours"] = ("ten-thousand-hours.mkv", "10000 h", TenThousandHours),
            ["many-streams"] = ("many-streams.mkv", "900 streams", ManyStreams),
            ["high-sample-rate"] = ("high-sample-rate.wav", "10000000 samples per second", _ => Wav(sampleRate: 10_000_000)),
        };

    // 16×16 raw video; AVI keeps the frame size in avih and strf and the rate in strh as plain 32-bit fields.
    private static byte[] PatchAvi(string folder, string name, int? width = null, int? height = null, uint? rate = null)
    {
        var path = TestFfmpeg.Make(Path.Combine(folder, name), "-f", "lavfi", "-i", "testsrc=size=16x16:rate=5:duration=1",
            "-c:v", "rawvideo", "-pix_fmt", "yuv420p");
        var bytes = File.ReadAllBytes(path);
        var span = bytes.AsSpan();
        if (width is { } w && height is { } h)
        {
            var avih = IndexOf(bytes, "avih") + 8;
            BinaryPrimitives.WriteInt32LittleEndian(span[(avih + 32)..], w);
            BinaryPrimitives.WriteInt32LittleEndian(span[(avih + 36)..], h);
            var strf = IndexOf(bytes, "strf") + 8;
            BinaryPrimitives.WriteInt32LittleEndian(span[(strf + 4)..], w);
            BinaryPrimitives.WriteInt32LittleEndian(span[(strf + 8)..], h);
        }
        if (rate is { } r)
        {
            var strh = IndexOf(bytes, "strh") + 8;
            BinaryPrimitives.WriteUInt32LittleEndian(span[(strh + 20)..], 1); // dwScale
            BinaryPrimitives.WriteUInt32LittleEndian(span[(strh + 24)..], r); // dwRate
        }
        File.WriteAllBytes(path, bytes);
        return bytes;
    }

    // Half a second of audio whose Segment Info Duration (an 8-byte float, in milliseconds) says 10000 hours.
    private static byte[] TenThousandHours(string folder)
    {
        var path = TestFfmpeg.Make(Path.Combine(folder, "ten-thousand-hours.mkv"), "-f", "lavfi", "-i", "sine=sample_rate=8000:duration=0.5",
            "-c:a", "pcm_s16le");
        var bytes = File.ReadAllBytes(path);
        var duration = IndexOf(bytes, [0x44, 0x89, 0x88]) + 3;
        BinaryPrimitives.WriteDoubleBigEndian(bytes.AsSpan(duration), 10_000 * 3600 * 1000.0);
        File.WriteAllBytes(path, bytes);
        return bytes;
    }

    // ffmpeg's demuxers stop at 1000 streams themselves (max_streams); 900 is what a file can carry into the platform.
    private static byte[] ManyStreams(string folder)
    {
        string[] maps = [.. Enumerable.Range(0, 900).SelectMany(_ => new[] { "-map", "0:a" })];
        return File.ReadAllBytes(TestFfmpeg.Make(Path.Combine(folder, "many-streams.mkv"),
            ["-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "0.1", .. maps, "-c:a", "pcm_s16le"]));
    }

    // A canonical 44-byte PCM header and 64 bytes of silence.
    private static byte[] Wav(int sampleRate)
    {
        const short channels = 1, bits = 16;
        const int data = 64;
        var bytes = new byte[44 + data];
        var span = bytes.AsSpan();
        Encoding.ASCII.GetBytes("RIFF").CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], 36 + data);
        Encoding.ASCII.GetBytes("WAVEfmt ").CopyTo(span[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(span[20..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(span[22..], channels);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], sampleRate * channels * bits / 8);
        BinaryPrimitives.WriteInt16LittleEndian(span[32..], channels * bits / 8);
        BinaryPrimitives.WriteInt16LittleEndian(span[34..], bits);
        Encoding.ASCII.GetBytes("data").CopyTo(span[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[40..], data);
        return bytes;
    }

    private static int IndexOf(byte[] bytes, string fourCc) => IndexOf(bytes, Encoding.ASCII.GetBytes(fourCc));

    private static int IndexOf(byte[] bytes, byte[] pattern)
    {
        var at = bytes.AsSpan().IndexOf(pattern);
        Assert.True(at >= 0, $"the generated file has no {Convert.ToHexString(pattern)}");
        return at;
    }
}
