namespace EmiPlatform.Data.Tenancy;

/// <summary>A row that belongs to one tenant: <see cref="EmiDbContext"/> filters it to the scope's tenant.</summary>
public interface ITenantOwned
{
    Guid TenantId { get; }
}
