namespace EmiPlatform.Bundles;

/// <summary>
/// The <c>Scoring:DefaultBundle</c> setting: the directory of the bundle new recordings are scored with. It shares the
/// <c>Scoring</c> section with a scoring silo's own settings because operators know it there.
/// </summary>
public sealed class BundleOptions
{
    public const string Section = "Scoring";

    /// <summary>
    /// Relative paths resolve against the content root. Required where jobs are created (the API host); a scoring silo
    /// loads bundles from their registered location.
    /// </summary>
    public string DefaultBundle { get; set; } = string.Empty;
}
