namespace EmiPlatform.Api.Auth;

public static class EmiClaims
{
    public const string TenantId = "emi:tenant_id";
    public const string TenantStatus = "emi:tenant_status";
    public const string KeyId = "emi:key_id";
}
