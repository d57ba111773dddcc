using EmiPlatform.Api.Auth;
using EmiPlatform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Problem = EmiPlatform.Api.Problems.Problem;

namespace EmiPlatform.Api.Keys;

/// <summary>A tenant admin manages their own lab's keys.</summary>
public static class KeysApi
{
    public static RouteGroupBuilder MapKeysApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/keys").WithTags("Keys").RequireAuthorization(Policies.TenantAdmin);
        group.MapGet("/", List).WithName("listKeys").WithSummary("List the tenant's API keys")
            .WithDescription("Revoked keys included; never a secret, only each key's public prefix.");
        group.MapPost("/", Create).WithName("createKey").WithSummary("Issue an API key")
            .WithDescription("A key of the caller's tenant with the given role; its secret is in this response only. A tenant holds at most 50 unrevoked keys (409 beyond).")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{keyId:guid}", Get).WithName("getKey").WithSummary("Get one of the tenant's API keys")
            .WithDescription("The key as listed (revoked or not): never its secret, only its public prefix.").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{keyId:guid}/revoke", Revoke).WithName("revokeKey").WithSummary("Revoke an API key")
            .WithDescription("Takes effect on the key's next request; revoking twice is harmless.").ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<Ok<List<ApiKeyDto>>> List(EmiDbContext db, CancellationToken ct)
    {
        var keys = await db.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(keys.Select(ApiKeyDto.From).ToList());
    }

    private static async Task<Results<Ok<ApiKeyDto>, ProblemHttpResult>> Get(Guid keyId, EmiDbContext db, CancellationToken ct) =>
        await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Id == keyId, ct) is { } key
            ? TypedResults.Ok(ApiKeyDto.From(key))
            : Problem.NotFound("API key");

    private static async Task<Results<Created<CreatedApiKeyDto>, ProblemHttpResult>> Create(
        ApiKeyRequest request, EmiDbContext db, CurrentTenant tenant, TimeProvider clock, CancellationToken ct)
    {
        var created = await ApiKeyIssuer.TryIssueAsync(db, tenant.Id, request.Name.Trim(), request.Role!.Value, clock.GetUtcNow(), ct);
        return created is null
            ? Problem.Conflict(ApiKeyIssuer.CapReached)
            : TypedResults.Created($"/v1/keys/{created.Key.Id}", created);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        Guid keyId, EmiDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var found = await db.ApiKeys.Where(k => k.Id == keyId)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, k => k.RevokedAt ?? now), ct);
        return found == 1 ? TypedResults.NoContent() : Problem.NotFound("API key");
    }
}
