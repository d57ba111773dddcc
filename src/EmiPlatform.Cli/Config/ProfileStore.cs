using System.Text.Json;

namespace EmiPlatform.Cli.Config;

/// <summary>
/// Reads and writes the profiles file: <c>$EMI_CONFIG</c>, else <c>$XDG_CONFIG_HOME/emi/config.json</c>, else
/// <c>~/.config/emi/config.json</c>. The file holds API keys, so it is written readable by its owner only.
/// </summary>
public sealed class ProfileStore(string path)
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string Path { get; } = path;

    public static ProfileStore For(CliContext context)
    {
        if (context.Env("EMI_CONFIG") is { } explicitPath)
        {
            return new ProfileStore(explicitPath);
        }
        var configHome = context.Env("XDG_CONFIG_HOME")
            ?? System.IO.Path.Combine(context.Env("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return new ProfileStore(System.IO.Path.Combine(configHome, "emi", "config.json"));
    }

    public CliConfig Load()
    {
        if (!File.Exists(Path))
        {
            return new CliConfig();
        }
        try
        {
            var config = JsonSerializer.Deserialize<CliConfig>(File.ReadAllText(Path), s_json) ?? new CliConfig();
            config.Profiles = new SortedDictionary<string, Profile>(config.Profiles ?? [], StringComparer.Ordinal);
            return config;
        }
        catch (JsonException e)
        {
            throw new ConfigException($"{Path} is not a valid emi config file: {e.Message}");
        }
    }

    public void Save(CliConfig config)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        var temp = Path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(config, s_json));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.Move(temp, Path, overwrite: true);
    }
}
