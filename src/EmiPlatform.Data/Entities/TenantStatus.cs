namespace EmiPlatform.Data.Entities;

public enum TenantStatus
{
    Active,
    Suspended,
}
