using EmiPlatform.Data.Tenancy;

namespace EmiPlatform.Data.Entities;

/// <summary>
/// A direct upload whose write SAS was handed out and whose recording is not registered yet. Open while
/// <see cref="ExpiresAt"/> is ahead: it holds one of the tenant's open-upload slots and reserves
/// <see cref="ReservedBytes"/> of its storage quota. Its staging blob is wanted only while it is open.
/// </summary>
public sealed class DirectUpload : ITenantOwned
{
    /// <summary>The recording the upload becomes on <c>complete</c>.</summary>
    public Guid RecordingId { get; set; }
    public Guid TenantId { get; set; }
    public Guid StudyId { get; set; }
    public Guid ParticipantId { get; set; }

    /// <summary>The file's size as the client declared it at start, if it did.</summary>
    public long? DeclaredBytes { get; set; }

    /// <summary>What the upload holds of the storage quota while open: the declared size, else the largest recording accepted.</summary>
    public long ReservedBytes { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the write SAS stops working.</summary>
    public DateTimeOffset ExpiresAt { get; set; }
}
