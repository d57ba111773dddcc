using System.CommandLine;
using System.IO.Compression;
using System.Text.Json;

namespace EmiPlatform.Cli.Commands;

/// <summary><c>emi bundles list|register DIR</c>: the model bundles a lab sees, and registering the lab's own (tenant admin key).</summary>
internal static class BundlesCommand
{
    private static readonly string[] Headers = ["id", "name", "version", "trained", "owner", "registered"];

    public static Command Create(CliContext context)
    {
        var options = new ApiOptions();
        var bundles = options.AddTo(new Command("bundles", "The model bundles this lab sees (the platform's and its own); register the lab's own."));

        var list = new Command("list", "List the platform's bundles and the lab's own.");
        ApiAction.Set(list, context, options, async call =>
        {
            var rows = await call.Client.GetAsync("v1/bundles", call.Cancellation).ConfigureAwait(false);
            if (call.Output.IsJson)
            {
                call.Output.Json(rows);
            }
            else
            {
                call.Output.Table(Headers, rows.EnumerateArray().Select(Row));
            }
            return ExitCodes.Ok;
        });
        bundles.Subcommands.Add(list);

        var directory = new Argument<string>("dir") { Description = "The bundle directory: manifest.json (contract v2) and its head graphs (what emi_ml.train --features writes)." };
        var register = new Command("register",
            "Register the lab's own bundle (tenant admin key): uploads manifest.json and the head graphs it names; the backbone and the "
            + "other stages it names by the platform's SHA-256 are not uploaded. Only this lab sees and scores with it.") { directory };
        ApiAction.Set(register, context, options, async call =>
        {
            var zip = Pack(call.Get(directory));
            var (created, bundle) = await call.Client.PostBytesAsync("v1/bundles", zip, "application/zip", call.Cancellation).ConfigureAwait(false);
            if (call.Output.IsJson)
            {
                call.Output.Json(bundle);
            }
            else
            {
                call.Output.Table(Headers, [Row(bundle)]);
                call.Output.Line(created ? "registered" : "already registered (the same manifest)");
            }
            return ExitCodes.Ok;
        });
        bundles.Subcommands.Add(register);
        return bundles;
    }

    /// <summary>manifest.json and each branch's head graph, flat in a ZIP.</summary>
    internal static byte[] Pack(string directory)
    {
        var manifestPath = Path.Combine(directory, "manifest.json");
        if (!File.Exists(manifestPath))
        {
            throw new UsageException($"{directory}: no manifest.json; is it a bundle directory?");
        }
        var files = new List<string> { "manifest.json" };
        using (var manifest = JsonDocument.Parse(File.ReadAllText(manifestPath)))
        {
            foreach (var branch in (string[])["audio", "visual"])
            {
                if (manifest.RootElement.TryGetProperty(branch, out var section) && section.TryGetProperty("head", out var head)
                    && head.TryGetProperty("onnx", out var onnx) && onnx.GetString() is { } name)
                {
                    if (!File.Exists(Path.Combine(directory, name)))
                    {
                        throw new UsageException($"{directory}: the manifest's {branch}.head.onnx names {name}, which is not there.");
                    }
                    files.Add(name);
                }
            }
        }
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var name in files)
            {
                zip.CreateEntryFromFile(Path.Combine(directory, name), name, CompressionLevel.Fastest);
            }
        }
        return buffer.ToArray();
    }

    private static string?[] Row(JsonElement b) =>
    [
        b.GetProperty("id").GetString(), b.GetProperty("name").GetString(), b.GetProperty("version").GetString(),
        b.GetProperty("trained").GetBoolean() ? "yes" : "no", b.GetProperty("owner").GetString(), b.GetProperty("registeredAt").ToString(),
    ];
}
