using EmiPlatform.Data.Tenancy;

namespace EmiPlatform.Data.Entities;

public sealed class ApiKey : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }

    /// <summary>The non-secret middle part of <c>emi_&lt;public id&gt;_&lt;secret&gt;</c>, used to find the row.</summary>
    public required string PublicId { get; set; }

    /// <summary>SHA-256 of the secret part; the secret itself is shown once and never stored.</summary>
    public required byte[] SecretHash { get; set; }

    public required string Name { get; set; }
    public ApiKeyRole Role { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
}
