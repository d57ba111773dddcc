using System.Text;

namespace EmiPlatform.Testing.Media;

/// <summary>
/// 2 s of H.264 + AAC in Matroska carrying megabytes of metadata, through ffmpeg's metadata input (a single command-line
/// argument is limited to 128 KiB): every tag value is 0x01 bytes, which ffprobe's JSON writes as six bytes each (\u0001).
/// </summary>
public static class TaggedMedia
{
    /// <summary><paramref name="count"/> container tags of <paramref name="bytes"/> each, none of which the platform asks for.</summary>
    public static string WithContainerTags(string folder, string fileName, int count, int bytes)
    {
        var metadata = new StringBuilder(";FFMETADATA1\n");
        for (var i = 0; i < count; i++)
        {
            metadata.Append("junk").Append(i).Append('=').Append('\u0001', bytes).Append('\n');
        }
        return Make(folder, fileName, metadata.ToString(), "-map_metadata", "2");
    }

    /// <summary>One video stream tag that the probe does read (<c>rotate</c>), <paramref name="bytes"/> long.</summary>
    public static string WithHugeRotateTag(string folder, string fileName, int bytes) =>
        Make(folder, fileName, ";FFMETADATA1\n[STREAM]\nrotate=" + new string('\u0001', bytes) + "\n", "-map_metadata:s:v:0", "2:s:0");

    private static string Make(string folder, string fileName, string metadata, params string[] mapping)
    {
        var metadataFile = Path.Combine(folder, fileName + ".ffmetadata");
        File.WriteAllText(metadataFile, metadata, new UTF8Encoding(false));
        return TestFfmpeg.Make(Path.Combine(folder, fileName),
        [
            "-f", "lavfi", "-i", "testsrc=size=160x120:rate=15", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000",
            "-f", "ffmetadata", "-i", metadataFile, "-map", "0:v", "-map", "1:a", .. mapping,
            "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
        ]);
    }
}
