using EmiPlatform.Data.Tenancy;

namespace EmiPlatform.Data.Entities;

/// <summary>A callback URL a tenant admin registered; every job completion of the tenant is POSTed to it, signed with <see cref="Secret"/>.</summary>
public sealed class Webhook : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public required string Url { get; set; }
    public string? Description { get; set; }

    /// <summary>The HMAC-SHA256 key deliveries are signed with. Stored because signing needs it; the API shows it once.</summary>
    public required string Secret { get; set; }

    /// <summary>The secret <see cref="Secret"/> replaced at the last rotation; deliveries are signed with it too until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public string? PreviousSecret { get; set; }

    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }

    /// <summary>When <see cref="Secret"/> was issued by a rotation; null while it is the secret of the registration.</summary>
    public DateTimeOffset? SecretRotatedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
