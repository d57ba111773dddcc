using System.Text.Json;

namespace EmiPlatform.Bundles.Tenants;

/// <summary>How a manifest names files: an object with a SHA-256 and a file under one of these keys.</summary>
public static class TenantBundleManifest
{
    private static readonly string[] s_fileKeys = ["onnx", "file", "detector"];

    /// <summary>The file an object of the manifest names (with its sha256 beside it), or null.</summary>
    public static string? FileOf(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("sha256", out _))
        {
            return null;
        }
        foreach (var key in s_fileKeys)
        {
            if (element.TryGetProperty(key, out var file) && file.ValueKind == JsonValueKind.String)
            {
                return file.GetString();
            }
        }
        return null;
    }

    /// <summary>Every (manifest path, file, sha256) the manifest names, depth first.</summary>
    public static IEnumerable<(string Path, string File, string Sha256)> Files(JsonElement element, string path = "")
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            if (FileOf(element) is { } file && element.GetProperty("sha256") is { ValueKind: JsonValueKind.String } hash)
            {
                yield return (path, file, hash.GetString()!);
            }
            foreach (var property in element.EnumerateObject())
            {
                foreach (var inner in Files(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}"))
                {
                    yield return inner;
                }
            }
        }
    }
}
