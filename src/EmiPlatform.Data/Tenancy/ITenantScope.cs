namespace EmiPlatform.Data.Tenancy;

/// <summary>The tenant the current unit of work acts for; null outside a tenant request.</summary>
public interface ITenantScope
{
    Guid? TenantId { get; }
}
