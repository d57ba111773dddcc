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

    /// <summary>
    /// Where labs' own bundles are written (one folder per tenant and bundle): a directory every scoring worker reads
    /// at the same path, as platform bundles are. Relative paths resolve against the content root; empty: a folder in
    /// the system's temporary directory, which only serves a single machine.
    /// </summary>
    public string TenantBundles { get; set; } = string.Empty;

    /// <summary>The largest head graph a lab may upload, in bytes (default 64 MiB).</summary>
    public long MaxHeadGraphBytes { get; set; } = 64L * 1024 * 1024;
}
