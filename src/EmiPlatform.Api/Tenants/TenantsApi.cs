using EmiPlatform.Abstractions.Tenants;
using EmiPlatform.Api.Auth;
using EmiPlatform.Api.Keys;
using EmiPlatform.Api.Paging;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Bundles.Tenants;
using EmiPlatform.Data;
using EmiPlatform.Data.Entities;
using EmiPlatform.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Problem = EmiPlatform.Api.Problems.Problem;

namespace EmiPlatform.Api.Tenants;

/// <summary>Platform-admin management of tenants and their keys; runs on the admin database role.</summary>
public static class TenantsApi
{
    public static RouteGroupBuilder MapTenantsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/admin/tenants").WithTags("Admin: tenants").RequireAuthorization(Policies.PlatformAdmin);
        group.MapPost("/", Create).WithName("createTenant").WithSummary("Create a tenant and its first tenant-admin key")
            .WithDescription("The response holds the tenant and its first tenant_admin key; the key's secret is shown here only.")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/", List).WithName("listTenants").WithSummary("List tenants")
            .WithDescription("Every tenant, oldest first, a page at a time (page, pageSize ≤ 200).")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{id:guid}", Get).WithName("getTenant").WithSummary("Get a tenant")
            .WithDescription("The tenant with its quotas and usage.").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{id:guid}", Update).WithName("updateTenant").WithSummary("Replace a tenant's name and quotas")
            .WithDescription("The whole representation: an omitted quota becomes null, which means unlimited.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapPost("/{id:guid}/suspend", (Guid id, AdminDbContext db, TimeProvider clock, IGrainFactory grains, CancellationToken ct) => SetStatus(id, TenantStatus.Suspended, db, clock, grains, ct))
            .WithName("suspendTenant").WithSummary("Suspend a tenant")
            .WithDescription("Its keys get 403 tenant-suspended on every endpoint and its queued jobs wait, until it is resumed.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapPost("/{id:guid}/resume", (Guid id, AdminDbContext db, TimeProvider clock, IGrainFactory grains, CancellationToken ct) => SetStatus(id, TenantStatus.Active, db, clock, grains, ct))
            .WithName("resumeTenant").WithSummary("Resume a suspended tenant")
            .WithDescription("Its keys work again and its waiting jobs are released.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapDelete("/{id:guid}", Delete).WithName("deleteTenant").WithSummary("Delete a tenant and everything it owns")
            .WithDescription("Its rows (studies, participants, recordings, jobs, results, keys, webhooks), then its blobs.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:guid}/keys", CreateKey).WithName("createTenantKey").WithSummary("Issue an API key for a tenant")
            .WithDescription("The key's secret is in this response only. A tenant holds at most 50 unrevoked keys (409 beyond).")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{id:guid}/keys", ListKeys).WithName("listTenantKeys").WithSummary("List a tenant's API keys")
            .WithDescription("Revoked keys included; never a secret, only each key's public prefix.").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:guid}/keys/{keyId:guid}", GetKey).WithName("getTenantKey").WithSummary("Get one of a tenant's API keys")
            .WithDescription("The key as listed (revoked or not): never its secret, only its public prefix.").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:guid}/keys/{keyId:guid}/revoke", RevokeKey).WithName("revokeTenantKey").WithSummary("Revoke a tenant's API key")
            .WithDescription("Takes effect on the key's next request; revoking twice is harmless.").ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<Results<Created<TenantCreatedDto>, ProblemHttpResult>> Create(
        TenantRequest request, AdminDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var tenant = new Tenant
        {
            Id = Guid.CreateVersion7(now),
            Name = request.Name.Trim(),
            MaxStorageBytes = request.MaxStorageBytes,
            MaxFeatureCacheBytes = request.MaxFeatureCacheBytes,
            MaxRecordings = request.MaxRecordings,
            MaxConcurrentJobs = request.MaxConcurrentJobs,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var (key, created) = ApiKeyIssuer.Issue(tenant.Id, "initial tenant admin", ApiKeyRole.TenantAdmin, now);
        db.Tenants.Add(tenant);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/v1/admin/tenants/{tenant.Id}", new TenantCreatedDto(TenantDto.From(tenant), created));
    }

    private static async Task<Results<Ok<Page<TenantDto>>, ProblemHttpResult>> List(
        [AsParameters] PageQuery page, AdminDbContext db, CancellationToken ct)
    {
        var total = await db.Tenants.LongCountAsync(ct);
        var items = await db.Tenants.AsNoTracking().OrderBy(t => t.CreatedAt).ThenBy(t => t.Id)
            .Skip(page.Skip).Take(page.Size).ToListAsync(ct);
        return TypedResults.Ok(new Page<TenantDto>([.. items.Select(TenantDto.From)], page.Number, page.Size, total));
    }

    private static async Task<Results<Ok<TenantDto>, ProblemHttpResult>> Get(Guid id, AdminDbContext db, CancellationToken ct) =>
        await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct) is { } tenant
            ? TypedResults.Ok(TenantDto.From(tenant))
            : Problem.NotFound("tenant");

    private static async Task<Results<Ok<TenantDto>, ProblemHttpResult>> Update(
        Guid id, TenantRequest request, [AsParameters] TenantServices services, CancellationToken ct)
    {
        var (db, clock, grains) = services;
        var tenant = await db.Tenants.SingleOrDefaultAsync(t => t.Id == id, ct);
        if (tenant is null)
        {
            return Problem.NotFound("tenant");
        }
        tenant.Name = request.Name.Trim();
        tenant.MaxStorageBytes = request.MaxStorageBytes;
        tenant.MaxRecordings = request.MaxRecordings;
        tenant.MaxConcurrentJobs = request.MaxConcurrentJobs;
        tenant.MaxFeatureCacheBytes = request.MaxFeatureCacheBytes;
        tenant.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await grains.GetGrain<ITenantGrain>(id).RefreshAsync();
        return TypedResults.Ok(TenantDto.From(tenant));
    }

    private static async Task<Results<Ok<TenantDto>, ProblemHttpResult>> SetStatus(
        Guid id, TenantStatus status, AdminDbContext db, TimeProvider clock, IGrainFactory grains, CancellationToken ct)
    {
        var tenant = await db.Tenants.SingleOrDefaultAsync(t => t.Id == id, ct);
        if (tenant is null)
        {
            return Problem.NotFound("tenant");
        }
        tenant.Status = status;
        tenant.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        // A suspended tenant's grain releases nothing more; resumed, it releases what waited.
        await grains.GetGrain<ITenantGrain>(id).RefreshAsync();
        return TypedResults.Ok(TenantDto.From(tenant));
    }

    /// <summary>
    /// The tenant's grain erases the rows (each study through its own grain, then the tenant row with its keys and
    /// webhooks, and the lab's own bundles); every blob under the tenant's prefix and the lab's bundle directories go after that.
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, AdminDbContext db, IBlobStore blobs, IGrainFactory grains, TenantBundleRegistrar bundles, CancellationToken ct)
    {
        if (!await db.Tenants.AnyAsync(t => t.Id == id, ct) || !await grains.GetGrain<ITenantGrain>(id).EraseAsync())
        {
            return Problem.NotFound("tenant");
        }
        await blobs.DeletePrefixAsync(RecordingBlobs.TenantPrefix(id), CancellationToken.None);
        bundles.DeleteTenant(id);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Created<CreatedApiKeyDto>, ProblemHttpResult>> CreateKey(
        Guid id, ApiKeyRequest request, AdminDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (!await db.Tenants.AnyAsync(t => t.Id == id, ct))
        {
            return Problem.NotFound("tenant");
        }
        var created = await ApiKeyIssuer.TryIssueAsync(db, id, request.Name.Trim(), request.Role!.Value, clock.GetUtcNow(), ct);
        return created is null
            ? Problem.Conflict(ApiKeyIssuer.CapReached)
            : TypedResults.Created($"/v1/admin/tenants/{id}/keys/{created.Key.Id}", created);
    }

    private static async Task<Results<Ok<List<ApiKeyDto>>, ProblemHttpResult>> ListKeys(Guid id, AdminDbContext db, CancellationToken ct)
    {
        if (!await db.Tenants.AnyAsync(t => t.Id == id, ct))
        {
            return Problem.NotFound("tenant");
        }
        var keys = await db.ApiKeys.AsNoTracking().Where(k => k.TenantId == id).OrderBy(k => k.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(keys.Select(ApiKeyDto.From).ToList());
    }

    private static async Task<Results<Ok<ApiKeyDto>, ProblemHttpResult>> GetKey(Guid id, Guid keyId, AdminDbContext db, CancellationToken ct) =>
        await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.TenantId == id && k.Id == keyId, ct) is { } key
            ? TypedResults.Ok(ApiKeyDto.From(key))
            : Problem.NotFound("API key");

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(
        Guid id, Guid keyId, AdminDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var found = await db.ApiKeys.Where(k => k.TenantId == id && k.Id == keyId)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, k => k.RevokedAt ?? now), ct);
        return found == 1 ? TypedResults.NoContent() : Problem.NotFound("API key");
    }
}
