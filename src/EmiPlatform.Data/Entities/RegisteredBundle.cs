namespace EmiPlatform.Data.Entities;

/// <summary>
/// A model bundle registered with the platform: platform-wide (TenantId null) or a lab's own head bundle, seen and used
/// by that tenant only (row-level security); immutable once registered.
/// </summary>
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

    /// <summary>The owning tenant of a lab's own bundle; null for a platform bundle.</summary>
    public Guid? TenantId { get; set; }
}
