namespace EmiPlatform.Cli.Config;

/// <summary>The contents of config.json: named profiles and the one used when none is named.</summary>
public sealed class CliConfig
{
    public string? Current { get; set; }
    public SortedDictionary<string, Profile> Profiles { get; set; } = new(StringComparer.Ordinal);
}
