using System.Text.Json;
using EmiPlatform.Data;

namespace EmiPlatform.Bundles.Tenants;

/// <summary>
/// The files the platform's own bundles hold, known by their SHA-256: the backbones a lab's head may name, and the
/// stages beside them (face detector, speech stage, …) a lab's manifest names by hash and does not upload.
/// </summary>
public sealed class PlatformFiles
{
    private readonly Dictionary<string, string> _paths = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PlatformBackbone> _backbones = new(StringComparer.Ordinal);

    /// <summary>Every file a registered platform bundle's manifest names with a hash; the same hash is the same bytes.</summary>
    public static async Task<PlatformFiles> LoadAsync(EmiDataSources database, CancellationToken cancellationToken)
    {
        var files = new PlatformFiles();
        await using var command = database.Admin.CreateCommand(
            "SELECT location, manifest::text FROM model_bundles WHERE tenant_id IS NULL ORDER BY registered_at");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            using var manifest = JsonDocument.Parse(reader.GetString(1));
            files.Add(reader.GetString(0), manifest.RootElement);
        }
        return files;
    }

    public string? PathOf(string sha256) => _paths.GetValueOrDefault(sha256);

    public PlatformBackbone? Backbone(string sha256) => _backbones.GetValueOrDefault(sha256);

    private void Add(string location, JsonElement manifest)
    {
        foreach (var branch in (string[])["audio", "visual"])
        {
            if (manifest.TryGetProperty(branch, out var section) && section.ValueKind == JsonValueKind.Object
                && section.TryGetProperty("backbone", out var backbone) && backbone.ValueKind == JsonValueKind.Object
                && backbone.TryGetProperty("sha256", out var hash) && hash.ValueKind == JsonValueKind.String
                && backbone.TryGetProperty("output", out var output) && output.TryGetProperty("shape", out var shape))
            {
                _backbones.TryAdd(hash.GetString()!, new PlatformBackbone(branch, hash.GetString()!, [.. shape.EnumerateArray().Select(Dim)]));
            }
        }
        Walk(location, manifest);
    }

    private void Walk(string location, JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                Walk(location, item);
            }
            return;
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        if (TenantBundleManifest.FileOf(element) is { } file && element.TryGetProperty("sha256", out var hash) && hash.ValueKind == JsonValueKind.String)
        {
            _paths.TryAdd(hash.GetString()!, Path.Combine(location, file));
        }
        foreach (var property in element.EnumerateObject())
        {
            Walk(location, property.Value);
        }
    }

    internal static string Dim(JsonElement d) => d.ValueKind == JsonValueKind.Number ? d.GetRawText() : d.GetString() ?? "?";
}
