using System.Security.Claims;
using EmiPlatform.Api.Auth;
using EmiPlatform.Api.Tenants;
using EmiPlatform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace EmiPlatform.Api.Me;

/// <summary>Who the presented key is, so a CLI profile can check itself.</summary>
public static class MeApi
{
    public static RouteHandlerBuilder MapMeApi(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/v1/me", Get).WithTags("Me")
            .WithName("getMe").WithSummary("Who the presented key is")
            .WithDescription("The key's role and, for a tenant's key, its tenant with quotas and usage.");

    private static async Task<Ok<MeDto>> Get(ClaimsPrincipal user, CurrentTenant tenant, EmiDbContext db, CancellationToken ct)
    {
        var role = user.FindFirstValue(ClaimTypes.Role)!;
        var row = tenant.TenantId is { } id ? await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct) : null;
        return TypedResults.Ok(new MeDto(role, row is null ? null : TenantDto.From(row)));
    }
}
