using System.Security.Claims;
using EmiPlatform.Api.Auth;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Tenants;
using EmiPlatform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Api.Me;

/// <summary>Who the presented key is, so a CLI profile can check itself.</summary>
public static class MeApi
{
    public static RouteHandlerBuilder MapMeApi(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/v1/me", Get).WithTags("Me")
            .WithName("getMe").WithSummary("Who the presented key is")
            .WithDescription("The key's role and, for a tenant's key, its tenant with quotas and usage, and what its open direct uploads reserve of the storage quota.");

    private static async Task<Ok<MeDto>> Get(
        ClaimsPrincipal user, CurrentTenant tenant, EmiDbContext db, IOptions<RecordingOptions> options, CancellationToken ct)
    {
        var role = user.FindFirstValue(ClaimTypes.Role)!;
        var row = tenant.TenantId is { } id ? await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct) : null;
        if (row is null)
        {
            return TypedResults.Ok(new MeDto(role, null));
        }
        var open = await db.DirectUploads.AsNoTracking().Open().Select(u => new { u.ReservedBytes, u.ExpiresAt }).ToListAsync(ct);
        return TypedResults.Ok(new MeDto(role, TenantDto.From(row), new OpenUploadsDto(open.Count, options.Value.MaxOpenDirectUploads,
            open.Sum(u => u.ReservedBytes), open.Count > 0 ? open.Min(u => u.ExpiresAt) : null)));
    }
}
