namespace EmiPlatform.Grains.Studies;

/// <summary>
/// What one erasure of a study's rows did: whether its subject was there, the erased recording's blob (for a single
/// recording), and whether it ended the open run because none of the run's jobs was left.
/// </summary>
public sealed record Erasure(bool Found, string? BlobName, bool EndedRun)
{
    public static readonly Erasure NotFound = new(false, null, false);
}
