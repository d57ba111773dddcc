using EmiPlatform.Data.Tenancy;

namespace EmiPlatform.Api.Auth;

/// <summary>The tenant of the authenticated API key, resolved once per request; also tells PostgreSQL which rows RLS allows.</summary>
public sealed class CurrentTenant(IHttpContextAccessor accessor) : ITenantScope
{
    private Guid? resolved;

    public Guid? TenantId => resolved ??= Guid.TryParse(accessor.HttpContext?.User.FindFirst(EmiClaims.TenantId)?.Value, out var id) ? id : null;

    /// <summary>The tenant id inside endpoints whose policy already required a tenant key.</summary>
    public Guid Id => TenantId ?? throw new InvalidOperationException("No tenant on this request; the endpoint's policy should have refused it.");
}
