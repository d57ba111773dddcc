using EmiPlatform.Data;
using EmiPlatform.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace EmiPlatform.Api.Auth;

/// <summary>
/// Whether a key authenticated earlier may still be used now. A request is authorised once, when it arrives; a
/// response that lasts (the study event stream) asks again, so a revoked key or a suspended tenant stops reading.
/// </summary>
public static class KeyStanding
{
    public static Task<bool> StillValidAsync(AdminDbContext db, Guid keyId, CancellationToken ct) =>
        db.ApiKeys.AsNoTracking()
            .Where(k => k.Id == keyId && k.RevokedAt == null)
            .Join(db.Tenants, k => k.TenantId, t => t.Id, (_, t) => t.Status)
            .AnyAsync(status => status == TenantStatus.Active, ct);
}
