using System.CommandLine;
using System.IO.Compression;

namespace EmiPlatform.Cli.Commands;

/// <summary><c>emi features export --study S --out DIR [--branch audio|visual|both]</c>: the study's cached backbone features, one NPZ per recording and branch.</summary>
internal static class FeaturesCommand
{
    public static Command Create(CliContext context)
    {
        var options = new ApiOptions();
        var features = options.AddTo(new Command("features", "The backbone features the platform cached for a study's recordings, to train heads on (emi_ml.train --features)."));

        var study = ParticipantsCommand.StudyOption();
        var output = new Option<string>("--out", "-o") { Description = "Folder to write the .npz files into (created if absent).", Required = true };
        var branch = new Option<string>("--branch") { Description = "audio | visual | both (default both).", DefaultValueFactory = _ => "both" };
        branch.AcceptOnlyFromAmong("audio", "visual", "both");
        var export = new Command("export",
            "Download the cached features of every scored recording of a study: <recording id>.<branch>.npz per recording and branch "
            + "(format in docs/model-bundle.md, \"Feature files\"; numpy.load reads them). Recordings without cached features are left out.")
        {
            study, output, branch,
        };
        ApiAction.Set(export, context, options, async call =>
        {
            var studyId = await Lookup.StudyAsync(call.Client, call.Get(study), call.Cancellation).ConfigureAwait(false);
            var folder = call.Get(output);
            Directory.CreateDirectory(folder);
            var branches = call.Get(branch) == "both" ? ["audio", "visual"] : new[] { call.Get(branch) };
            var written = new List<string>();
            foreach (var b in branches)
            {
                var temp = Path.Combine(folder, $".features-{b}.zip.partial");
                try
                {
                    await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                    {
                        await call.Client.DownloadAsync($"v1/studies/{studyId}/features?branch={b}", file, call.Cancellation).ConfigureAwait(false);
                    }
                    using var zip = ZipFile.OpenRead(temp);
                    foreach (var entry in zip.Entries)
                    {
                        // The API names entries <uuid>.<branch>.npz; anything else is not written outside the folder.
                        var name = Path.GetFileName(entry.FullName);
                        if (name.Length == 0 || name != entry.FullName || !name.EndsWith(".npz", StringComparison.Ordinal))
                        {
                            continue;
                        }
                        entry.ExtractToFile(Path.Combine(folder, name), overwrite: true);
                        written.Add(name);
                    }
                }
                finally
                {
                    File.Delete(temp);
                }
            }
            if (call.Output.IsJson)
            {
                call.Output.Json(new { studyId, folder = Path.GetFullPath(folder), files = written });
            }
            else
            {
                call.Output.Line($"wrote {written.Count} feature file(s) to {folder}");
            }
            return ExitCodes.Ok;
        });
        features.Subcommands.Add(export);
        return features;
    }
}
