using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using EmiPlatform.Data;
using EmiPlatform.Data.Entities;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Bundles.Tenants;

/// <summary>
/// Turns a lab's upload (a ZIP of manifest.json and its head graphs) into a bundle directory the workers load like any
/// other: the files the manifest names by hash and the lab does not upload (the backbone, the face and speech stages)
/// are copied from the platform's bundles. Everything is checked before anything is kept; the caller inserts the row.
/// </summary>
public sealed partial class TenantBundleRegistrar(
    EmiDataSources database, DefaultBundle defaults, IOptions<BundleOptions> options, IHostEnvironment environment, TimeProvider clock)
{
    private const int MaxEntries = 16;
    private const long MaxManifestBytes = 1024 * 1024;
    private static readonly string[] s_branches = ["audio", "visual"];

    public string Root => string.IsNullOrWhiteSpace(options.Value.TenantBundles)
        ? Path.Combine(Path.GetTempPath(), "emi-tenant-bundles")
        : Path.GetFullPath(options.Value.TenantBundles, environment.ContentRootPath);

    /// <summary>The largest upload accepted: two head graphs and a manifest.</summary>
    public long MaxUploadBytes => (2 * options.Value.MaxHeadGraphBytes) + MaxManifestBytes;

    /// <summary>Validates the upload and writes the bundle's directory; returns its row, not yet inserted.</summary>
    /// <exception cref="TenantBundleException">What is wrong, by field.</exception>
    public async Task<RegisteredBundle> PrepareAsync(Guid tenantId, Stream upload, CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7(clock.GetUtcNow());
        var staging = Path.Combine(Root, tenantId.ToString("N"), "." + id.ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            var uploaded = await UnpackAsync(upload, staging, cancellationToken);
            var manifestText = await File.ReadAllTextAsync(Path.Combine(staging, "manifest.json"), cancellationToken);
            using var manifest = Parse(manifestText);
            if (defaults.Directory is not null)
            {
                await defaults.GetIdAsync(cancellationToken); // the default bundle's backbones are the platform's from its first request on
            }
            var platform = await PlatformFiles.LoadAsync(database, cancellationToken);
            var heads = CheckHeads(manifest.RootElement, staging, uploaded, platform);
            ProvideNamedFiles(manifest.RootElement, staging, uploaded, heads, platform);

            ModelBundle bundle;
            try
            {
                bundle = ModelBundle.Load(staging);
            }
            catch (ModelBundleException ex)
            {
                throw Invalid("manifest.json", ex.Message.Replace(staging, "the upload", StringComparison.Ordinal));
            }
            await RefuseTakenNameAsync(bundle, cancellationToken);

            var final = Path.Combine(Root, tenantId.ToString("N"), id.ToString("N"));
            Directory.Move(staging, final);
            return new RegisteredBundle
            {
                Id = id,
                TenantId = tenantId,
                Name = bundle.Name,
                Version = bundle.Version,
                Trained = bundle.Trained,
                Location = final,
                Manifest = manifestText,
                RegisteredAt = clock.GetUtcNow(),
            };
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    /// <summary>Removes every bundle directory of an erased tenant (its rows went with the tenant row).</summary>
    public void DeleteTenant(Guid tenantId)
    {
        var folder = Path.Combine(Root, tenantId.ToString("N"));
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Removes a prepared directory whose row was not inserted (a duplicate).</summary>
    public static void Discard(RegisteredBundle prepared)
    {
        if (Directory.Exists(prepared.Location))
        {
            Directory.Delete(prepared.Location, recursive: true);
        }
    }

    private async Task<HashSet<string>> UnpackAsync(Stream upload, string staging, CancellationToken cancellationToken)
    {
        var zipPath = Path.Combine(staging, ".upload.zip");
        await using (var file = File.Create(zipPath))
        {
            if (await CopyBoundedAsync(upload, file, MaxUploadBytes, cancellationToken) > MaxUploadBytes)
            {
                throw new TenantBundleException(TenantBundleProblem.TooLarge, "body",
                    $"The upload is over {MaxUploadBytes} bytes (two head graphs of at most {options.Value.MaxHeadGraphBytes} bytes and a manifest).");
            }
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var zip = ZipFile.OpenRead(zipPath);
            if (zip.Entries.Count > MaxEntries)
            {
                throw Invalid("body", $"The ZIP holds {zip.Entries.Count} entries; a bundle upload holds manifest.json and its head graphs.");
            }
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName.EndsWith('/'))
                {
                    continue; // a folder entry; its files are refused below if they are in it
                }
                if (!FileName().IsMatch(entry.FullName) || entry.FullName.StartsWith('.'))
                {
                    throw Invalid(entry.FullName, $"'{entry.FullName}' is not a plain file name; put manifest.json and the head graphs at the top of the ZIP.");
                }
                if (!names.Add(entry.FullName))
                {
                    throw Invalid(entry.FullName, $"'{entry.FullName}' is in the ZIP twice.");
                }
                var bound = entry.FullName == "manifest.json" ? MaxManifestBytes : options.Value.MaxHeadGraphBytes;
                await using var source = entry.Open();
                await using var target = File.Create(Path.Combine(staging, entry.FullName));
                // The declared length may lie: count what is actually inflated.
                if (entry.Length > bound || await CopyBoundedAsync(source, target, bound, cancellationToken) > bound)
                {
                    throw new TenantBundleException(TenantBundleProblem.TooLarge, entry.FullName,
                        $"'{entry.FullName}' is over the size bound of {bound} bytes.");
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw Invalid("body", $"The upload is not a readable ZIP: {ex.Message}");
        }
        finally
        {
            File.Delete(zipPath);
        }
        if (!names.Contains("manifest.json"))
        {
            throw Invalid("manifest.json", "The upload has no manifest.json at the top of the ZIP.");
        }
        names.Remove("manifest.json");
        return names;
    }

    private static JsonDocument Parse(string text)
    {
        JsonDocument manifest;
        try
        {
            manifest = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            throw Invalid("manifest.json", $"manifest.json is not JSON: {ex.Message}");
        }
        var root = manifest.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            manifest.Dispose();
            throw Invalid("manifest.json", "manifest.json is not a JSON object.");
        }
        if (!root.TryGetProperty("schema_version", out var version) || version.ValueKind != JsonValueKind.Number || version.GetRawText() != "2")
        {
            manifest.Dispose();
            throw Invalid("schema_version", "A lab's bundle uses the bundle contract v2 (schema_version 2: a backbone and a head per branch; docs/model-bundle.md).");
        }
        return manifest;
    }

    /// <summary>Each branch's head: uploaded, named by hash, over a backbone the platform has and fitting its features.</summary>
    private static HashSet<string> CheckHeads(JsonElement root, string staging, HashSet<string> uploaded, PlatformFiles platform)
    {
        var heads = new HashSet<string>(StringComparer.Ordinal);
        foreach (var branch in s_branches)
        {
            if (!root.TryGetProperty(branch, out var section) || section.ValueKind != JsonValueKind.Object)
            {
                continue;
            }
            var backboneHash = Text(section, "backbone", "sha256")
                ?? throw Invalid($"{branch}.backbone.sha256", $"{branch}.backbone names no sha256: a lab's head names its backbone by hash.");
            var backbone = platform.Backbone(backboneHash)
                ?? throw Invalid($"{branch}.backbone.sha256",
                    $"No backbone with sha256 {backboneHash} is on this platform; train the head on features of a backbone the platform has (GET /v1/bundles, and its manifests).");
            if (backbone.Branch != branch)
            {
                throw Invalid($"{branch}.backbone.sha256", $"Backbone {backboneHash} is the platform's {backbone.Branch} backbone, not a {branch} one.");
            }
            var headFile = Text(section, "head", "onnx") ?? throw Invalid($"{branch}.head.onnx", $"{branch}.head names no ONNX file.");
            if (!uploaded.Contains(headFile))
            {
                throw Invalid($"{branch}.head.onnx", $"{branch}.head.onnx names '{headFile}', which is not in the upload.");
            }
            heads.Add(headFile);
            var headHash = Text(section, "head", "sha256");
            if (headHash is not null && Sha256Of(Path.Combine(staging, headFile)) is var actualHash && actualHash != headHash)
            {
                throw Invalid($"{branch}.head", $"'{headFile}' has sha256 {actualHash}, not the {headHash} {branch}.head names.");
            }

            var inputName = Text(section, "head", "inputs", "features", "name") ?? "features";
            var declared = section.TryGetProperty("head", out var head) && head.TryGetProperty("inputs", out var inputs)
                && inputs.TryGetProperty("features", out var features) && features.TryGetProperty("shape", out var shape) && shape.ValueKind == JsonValueKind.Array
                ? shape.EnumerateArray().Select(PlatformFiles.Dim).ToList()
                : null;
            if (declared is not null && (declared.Count == 0 || declared[^1] != backbone.FeatureWidth))
            {
                throw Invalid($"{branch}.head.inputs.features",
                    $"The head's input '{inputName}' is {Shape(declared)}, but backbone {backboneHash} gives features {Shape(backbone.OutputShape)}: the last axes must match.");
            }
            IReadOnlyDictionary<string, IReadOnlyList<string>> graphInputs;
            try
            {
                graphInputs = OnnxGraphInputs.Read(File.ReadAllBytes(Path.Combine(staging, headFile)));
            }
            catch (FormatException ex)
            {
                throw Invalid($"{branch}.head.onnx", $"'{headFile}' is not an ONNX model ({ex.Message}).");
            }
            if (!graphInputs.TryGetValue(inputName, out var actual))
            {
                throw Invalid($"{branch}.head.onnx", $"'{headFile}' has no input '{inputName}' (it has: {string.Join(", ", graphInputs.Keys)}).");
            }
            if (actual.Count == 0 || actual[^1] != backbone.FeatureWidth)
            {
                throw Invalid($"{branch}.head.onnx",
                    $"The head graph '{headFile}' takes '{inputName}' as {Shape(actual)}, but backbone {backboneHash} gives features {Shape(backbone.OutputShape)}: the last axes must match.");
            }
        }
        if (heads.Count == 0)
        {
            throw Invalid("manifest.json", "The manifest has neither an audio nor a visual branch with a head.");
        }
        return heads;
    }

    /// <summary>Uploaded heads are the files they say; every other named file comes from the platform, by hash.</summary>
    private static void ProvideNamedFiles(JsonElement root, string staging, HashSet<string> uploaded, HashSet<string> heads, PlatformFiles platform)
    {
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, file, sha256) in TenantBundleManifest.Files(root))
        {
            named.Add(file);
            if (!FileName().IsMatch(file) || file.StartsWith('.'))
            {
                throw Invalid(path, $"{path} names '{file}', which is not a plain file name.");
            }
            var target = Path.Combine(staging, file);
            if (uploaded.Contains(file))
            {
                if (!heads.Contains(file))
                {
                    throw Invalid(file, $"'{file}' ({path}) is not a head graph; a lab uploads heads only and names everything else by the platform's hash.");
                }
                if (Sha256Of(target) != sha256)
                {
                    throw Invalid(path, $"'{file}' has sha256 {Sha256Of(target)}, not the {sha256} {path} names.");
                }
                continue;
            }
            if (File.Exists(target))
            {
                continue; // named twice (the same file under two stages)
            }
            var source = platform.PathOf(sha256)
                ?? throw Invalid(path, $"{path} names '{file}' with sha256 {sha256}, which is not in the upload and is no file of the platform's bundles.");
            File.Copy(source, target);
        }
        foreach (var file in uploaded.Where(f => !named.Contains(f)))
        {
            throw Invalid(file, $"'{file}' is in the upload but the manifest does not name it.");
        }
    }

    private async Task RefuseTakenNameAsync(ModelBundle bundle, CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand(
            "SELECT EXISTS (SELECT 1 FROM model_bundles WHERE tenant_id IS NULL AND name = $1 AND version = $2)");
        command.Parameters.Add(new() { Value = bundle.Name });
        command.Parameters.Add(new() { Value = bundle.Version });
        if (await command.ExecuteScalarAsync(cancellationToken) is true)
        {
            throw new TenantBundleException(TenantBundleProblem.Conflict, "name",
                $"{bundle.Name} {bundle.Version} is a platform bundle's name and version; give your bundle its own name.");
        }
    }

    private static async Task<long> CopyBoundedAsync(Stream source, Stream target, long bound, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > bound)
            {
                return total;
            }
            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        return total;
    }

    private static string? Text(JsonElement element, params string[] path)
    {
        foreach (var key in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(key, out element))
            {
                return null;
            }
        }
        return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
    }

    private static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string Shape(IEnumerable<string> dims) => "[" + string.Join(", ", dims) + "]";

    private static TenantBundleException Invalid(string field, string message) => new(TenantBundleProblem.Invalid, field, message);

    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}$")]
    private static partial Regex FileName();
}
