using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using EmiPlatform.Harness;

namespace EmiPlatform.Api.Tests.Infrastructure;

/// <summary>
/// A lab's head bundle made from the reference bundle: its manifest renamed, its head graphs uploaded, everything else
/// named by the platform's hash. Tests change the manifest or the files to make it hostile.
/// </summary>
public sealed class LabBundle
{
    public static string ReferenceDirectory => Path.Combine(RepoRoot.Path, "models", "reference-tiny");

    public JsonObject Manifest { get; }

    public Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    public LabBundle(string name = "lab-heads", string version = "1.0.0", bool audio = true)
    {
        Manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(ReferenceDirectory, "manifest.json")))!.AsObject();
        Manifest["name"] = name;
        Manifest["version"] = version;
        Manifest["provenance"] = "test: the reference bundle's heads registered as a lab's own";
        if (!audio)
        {
            Manifest.Remove("audio");
            Manifest["fusion"] = new JsonObject { ["visual"] = 1.0 };
        }
        foreach (var branch in (string[])["audio", "visual"])
        {
            if (Manifest[branch] is JsonObject section)
            {
                var head = section["head"]!["onnx"]!.GetValue<string>();
                Files[head] = File.ReadAllBytes(Path.Combine(ReferenceDirectory, head));
            }
        }
    }

    public ByteArrayContent Zip()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, "manifest.json", System.Text.Encoding.UTF8.GetBytes(Manifest.ToJsonString()));
            foreach (var (name, bytes) in Files)
            {
                Add(zip, name, bytes);
            }
        }
        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return content;
    }

    /// <summary>
    /// The bytes of an ONNX model whose only content is one float input named <paramref name="input"/> of the given
    /// shape (numbers are fixed sizes, other strings dynamic axes): enough for the registration's shape check.
    /// </summary>
    public static byte[] OnnxWithInput(string input, params object[] shape)
    {
        var dims = new List<byte>();
        foreach (var d in shape)
        {
            dims.AddRange(Field(1, d is int n ? [0x08, .. Varint((ulong)n)] : Field(2, System.Text.Encoding.UTF8.GetBytes((string)d))));
        }
        var tensor = Field(2, [.. dims]); // shape
        var type = Field(1, [0x08, 0x01, .. tensor]); // tensor_type { elem_type: FLOAT, shape }
        var valueInfo = Field(1, System.Text.Encoding.UTF8.GetBytes(input)).Concat(Field(2, type)).ToArray();
        var graph = Field(11, valueInfo);
        return [0x08, 0x08, .. Field(7, graph)]; // ir_version 8, graph
    }

    private static byte[] Field(int number, byte[] payload) => [.. Varint((ulong)((number << 3) | 2)), .. Varint((ulong)payload.Length), .. payload];

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }

    private static void Add(ZipArchive zip, string name, byte[] bytes)
    {
        using var stream = zip.CreateEntry(name).Open();
        stream.Write(bytes);
    }
}
