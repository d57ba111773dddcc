using System.CommandLine;
using EmiPlatform.Cli.Config;
using EmiPlatform.Cli.Output;

namespace EmiPlatform.Cli.Commands;

/// <summary><c>emi profile add|list|use|remove</c>: named URL + key pairs in the config file (no API calls).</summary>
internal static class ProfileCommand
{
    public static Command Create(CliContext context)
    {
        var profile = new Command("profile",
            "Manage connection profiles (API URL + key) in ~/.config/emi/config.json (or $EMI_CONFIG). "
            + "EMI_URL / EMI_KEY override a profile; EMI_PROFILE or --profile picks one.");
        profile.Subcommands.Add(Add(context));
        profile.Subcommands.Add(List(context));
        profile.Subcommands.Add(Use(context));
        profile.Subcommands.Add(Remove(context));
        return profile;
    }

    private static Command Add(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Profile name, e.g. lab or admin." };
        var url = new Option<string>("--url") { Description = "API base URL, e.g. https://emi.example.org/.", Required = true };
        var key = new Option<string>("--key") { Description = "API key (emi_…). Stored in the config file, readable by you only.", Required = true };
        var use = new Option<bool>("--use") { Description = "Make it the current profile (the first profile always is)." };
        var command = new Command("add", "Add or replace a profile.") { name, url, key, use };
        command.SetAction(parse => Run(context, () =>
        {
            var text = parse.GetValue(url)!;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new UsageException($"--url '{text}' is not an absolute http(s) URL.");
            }
            var store = ProfileStore.For(context);
            var config = store.Load();
            var profileName = parse.GetValue(name)!;
            config.Profiles[profileName] = new Profile(text, parse.GetValue(key)!);
            if (parse.GetValue(use) || config.Current is null)
            {
                config.Current = profileName;
            }
            store.Save(config);
            context.Out.WriteLine($"profile '{profileName}' saved in {store.Path}" + (config.Current == profileName ? " (current)" : ""));
        }));
        return command;
    }

    private static Command List(CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "JSON output (keys are masked)." };
        var command = new Command("list", "List profiles; the current one is marked with *.") { json };
        command.SetAction(parse => Run(context, () =>
        {
            var store = ProfileStore.For(context);
            var config = store.Load();
            var printer = new Printer(context, parse.GetValue(json));
            var rows = config.Profiles.Select(p => new
            {
                name = p.Key,
                url = p.Value.Url,
                key = Mask(p.Value.Key),
                current = p.Key == config.Current,
            }).ToList();
            if (printer.IsJson)
            {
                printer.Json(new { path = store.Path, current = config.Current, profiles = rows });
                return;
            }
            if (rows.Count == 0)
            {
                context.Out.WriteLine($"no profiles in {store.Path}; add one with `emi profile add NAME --url URL --key KEY`");
                return;
            }
            printer.Table(["", "name", "url", "key"], rows.Select(r => new[] { r.current ? "*" : "", r.name, r.url, r.key }));
        }));
        return command;
    }

    private static Command Use(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Profile to use by default." };
        var command = new Command("use", "Make a profile the current one.") { name };
        command.SetAction(parse => Run(context, () =>
        {
            var store = ProfileStore.For(context);
            var config = store.Load();
            var profileName = parse.GetValue(name)!;
            if (!config.Profiles.ContainsKey(profileName))
            {
                throw new UsageException($"no profile '{profileName}' (see `emi profile list`)");
            }
            config.Current = profileName;
            store.Save(config);
            context.Out.WriteLine($"current profile: {profileName}");
        }));
        return command;
    }

    private static Command Remove(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Profile to remove." };
        var command = new Command("remove", "Remove a profile.") { name };
        command.SetAction(parse => Run(context, () =>
        {
            var store = ProfileStore.For(context);
            var config = store.Load();
            var profileName = parse.GetValue(name)!;
            if (!config.Profiles.Remove(profileName))
            {
                throw new UsageException($"no profile '{profileName}' (see `emi profile list`)");
            }
            if (config.Current == profileName)
            {
                config.Current = null;
            }
            store.Save(config);
            context.Out.WriteLine($"profile '{profileName}' removed");
        }));
        return command;
    }

    /// <summary>Enough of a key to tell keys apart (its public id), never the secret.</summary>
    private static string Mask(string key) => key.Length > 16 ? key[..16] + "…" : "…";

    private static int Run(CliContext context, Action action)
    {
        try
        {
            action();
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is UsageException or ConfigException)
        {
            context.Error.WriteLine($"emi: error: {e.Message}");
            return ExitCodes.Usage;
        }
    }
}
