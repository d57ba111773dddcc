namespace EmiPlatform.Data.Entities;

/// <summary>A model bundle registered with the platform (platform-wide, not tenant-owned); immutable once registered.</summary>
public sealed class RegisteredBundle
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string Version { get; set; }
    public bool Trained { get; set; }

    /// <summary>The bundle directory workers load it from (holds manifest.json).</summary>
    public required string Location { get; set; }

    /// <summary>The manifest as registered, JSON.</summary>
    public required string Manifest { get; set; }

    public DateTimeOffset RegisteredAt { get; set; }
}
