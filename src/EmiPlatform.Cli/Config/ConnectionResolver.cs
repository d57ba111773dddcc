namespace EmiPlatform.Cli.Config;

/// <summary>
/// Resolves URL and key. Each is taken from the first of: the <c>--url</c> option (URL only), <c>EMI_URL</c> /
/// <c>EMI_KEY</c>, the profile named by <c>--profile</c> or <c>EMI_PROFILE</c>, the config file's current profile.
/// A profile that is named but missing is an error rather than a silent fallback to another lab's key.
/// </summary>
public static class ConnectionResolver
{
    public static Connection Resolve(CliContext context, string? profileOption, string? urlOption)
    {
        var store = ProfileStore.For(context);
        var config = store.Load();
        var profileName = profileOption ?? context.Env("EMI_PROFILE");
        Profile? profile = null;
        string? profileSource = null;
        if (profileName is not null)
        {
            if (!config.Profiles.TryGetValue(profileName, out profile))
            {
                throw new ConfigException($"No profile '{profileName}' in {store.Path} (see `emi profile list`).");
            }
            profileSource = $"profile '{profileName}'";
        }
        else if (config.Current is { } current && config.Profiles.TryGetValue(current, out profile))
        {
            profileSource = $"profile '{current}' (current)";
        }

        var (url, urlSource) = urlOption is not null ? (urlOption, "--url")
            : context.Env("EMI_URL") is { } envUrl ? (envUrl, "EMI_URL")
            : (profile?.Url, profileSource);
        var (key, keySource) = context.Env("EMI_KEY") is { } envKey ? (envKey, "EMI_KEY") : (profile?.Key, profileSource);

        if (url is null || key is null)
        {
            throw new ConfigException(
                "No API " + (url is null ? "URL" : "key") + " configured: run `emi profile add NAME --url URL --key KEY`, "
                + "or set EMI_URL and EMI_KEY.");
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ConfigException($"API URL '{url}' (from {urlSource}) is not an absolute http(s) URL.");
        }
        var source = urlSource == keySource ? urlSource! : $"URL from {urlSource}, key from {keySource}";
        return new Connection(uri, key, source);
    }
}
