using System.Text.Json;
using EmiPlatform.Data.Tenancy;

namespace EmiPlatform.Data.Entities;

public sealed class Participant : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid StudyId { get; set; }

    /// <summary>The lab's own participant code, unique within a study.</summary>
    public required string Code { get; set; }

    /// <summary>Free-form JSON object the lab attaches (age band, condition, …).</summary>
    public JsonDocument? Metadata { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
