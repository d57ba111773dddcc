using EmiPlatform.Abstractions;
using EmiPlatform.Api.Auth;
using EmiPlatform.Api.Database;
using EmiPlatform.Api.Paging;
using EmiPlatform.Data;
using EmiPlatform.Data.Entities;
using EmiPlatform.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Problem = EmiPlatform.Api.Problems.Problem;

namespace EmiPlatform.Api.Webhooks;

/// <summary>
/// A tenant admin registers callback URLs; every job completion of the tenant is POSTed to each, signed with the
/// webhook's secret (shown once, at registration or rotation). Deliveries are listed with their status.
/// </summary>
public static class WebhooksApi
{
    /// <summary>Each completion is sent to every webhook of the tenant; a bound keeps one tenant from fanning out without limit.</summary>
    public const int MaxPerTenant = 20;

    public static RouteGroupBuilder MapWebhooksApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/webhooks").WithTags("Webhooks").RequireAuthorization(Policies.TenantAdmin);
        group.MapGet("/", List).WithName("listWebhooks").WithSummary("List the tenant's webhooks")
            .WithDescription("At most 20; never a secret, only the prefixes that tell them apart.");
        group.MapPost("/", Create).WithName("createWebhook").WithSummary("Register a webhook")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithDescription("The URL must be absolute http(s), at most 2000 characters, and resolve to public addresses only (unless Webhooks:AllowPrivateNetworks).");
        group.MapGet("/{id:guid}", Get).WithName("getWebhook").WithSummary("Get a webhook")
            .WithDescription("One webhook of the tenant, with its secret's prefix and any rotation window still open.").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id:guid}", Delete).WithName("deleteWebhook").WithSummary("Delete a webhook")
            .WithDescription("Pending deliveries to it are dropped.").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:guid}/rotate-secret", RotateSecret).WithName("rotateWebhookSecret").WithSummary("Rotate a webhook's secret").ProducesProblem(StatusCodes.Status404NotFound)
            .WithDescription("Issues a new secret (shown once, in this response). For Webhooks:SecretRotationWindow (24 h by default) the " +
                             "replaced secret still signs every delivery too: Emi-Webhook-Signature then carries two v1= values, one per secret. " +
                             "Rotating again inside the window ends the older secret at once.");
        group.MapGet("/{id:guid}/deliveries", Deliveries).WithName("listWebhookDeliveries").WithSummary("List a webhook's deliveries")
            .WithDescription("Newest first. Query: status (pending, delivered, failed), page, pageSize.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return group;
    }

    private static async Task<Ok<List<WebhookDto>>> List(EmiDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var hooks = await db.Webhooks.AsNoTracking().OrderBy(w => w.CreatedAt).ThenBy(w => w.Id).ToListAsync(ct);
        var now = clock.GetUtcNow();
        return TypedResults.Ok(hooks.Select(h => WebhookDto.From(h, now)).ToList());
    }

    private static async Task<Results<Ok<WebhookDto>, ProblemHttpResult>> Get(Guid id, EmiDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var hook = await db.Webhooks.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id, ct);
        return hook is null ? Problem.NotFound("webhook") : TypedResults.Ok(WebhookDto.From(hook, clock.GetUtcNow()));
    }

    private static async Task<Results<Created<WebhookSecretDto>, ProblemHttpResult>> Create(
        WebhookRequest request, [AsParameters] WebhookServices services, CancellationToken ct)
    {
        var (db, tenant, options, clock) = services;
        if (await WebhookUrl.CheckAsync(request.Url, options.Value.AllowPrivateNetworks, ct) is { } urlError)
        {
            return Problem.Validation(new Dictionary<string, string[]> { ["url"] = [urlError] });
        }
        var now = clock.GetUtcNow();
        var hook = new Webhook
        {
            Id = Guid.CreateVersion7(now),
            TenantId = tenant.Id,
            Url = request.Url,
            Description = string.IsNullOrWhiteSpace(request.Description) ? null : request.Description.Trim(),
            Secret = WebhookSecret.Generate(),
            CreatedAt = now,
        };
        if (!await TenantCap.TryAddAsync(db, "webhooks", tenant.Id, db.Webhooks, MaxPerTenant, () => db.Webhooks.Add(hook), ct))
        {
            return Problem.Conflict($"A tenant may register at most {MaxPerTenant} webhooks; delete one first.");
        }
        return TypedResults.Created($"/v1/webhooks/{hook.Id}", new WebhookSecretDto(WebhookDto.From(hook, now), hook.Secret));
    }

    private static async Task<Results<Ok<WebhookSecretDto>, ProblemHttpResult>> RotateSecret(
        Guid id, EmiDbContext db, IOptions<WebhookOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var secret = WebhookSecret.Generate();
        var expiresAt = now + options.Value.SecretRotationWindow;
        // One UPDATE moves the current secret to previous, so concurrent rotations queue on the row lock and each
        // one's secret is the previous of the next; the read inside the transaction sees this rotation's row. The
        // retrying execution strategy runs the transaction as one unit.
        var hook = await db.Database.CreateExecutionStrategy().ExecuteAsync(async token =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            var rotated = await db.Webhooks.Where(w => w.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(w => w.PreviousSecret, w => w.Secret)
                .SetProperty(w => w.PreviousSecretExpiresAt, expiresAt)
                .SetProperty(w => w.Secret, secret)
                .SetProperty(w => w.SecretRotatedAt, now), token);
            var row = rotated == 0 ? null : await db.Webhooks.AsNoTracking().SingleAsync(w => w.Id == id, token);
            await transaction.CommitAsync(token);
            return row;
        }, ct);
        if (hook is null)
        {
            return Problem.NotFound("webhook");
        }
        return TypedResults.Ok(new WebhookSecretDto(WebhookDto.From(hook, now), secret));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, EmiDbContext db, CancellationToken ct)
    {
        var deleted = await db.Webhooks.Where(w => w.Id == id).ExecuteDeleteAsync(ct);
        return deleted == 1 ? TypedResults.NoContent() : Problem.NotFound("webhook");
    }

    private static async Task<Results<Ok<Page<WebhookDeliveryDto>>, ProblemHttpResult>> Deliveries(
        Guid id, string? status, [AsParameters] PageQuery page, EmiDbContext db, CancellationToken ct)
    {
        WebhookDeliveryStatus? filter = null;
        if (status is not null)
        {
            if (EnumNames.TryParse<WebhookDeliveryStatus>(status, out var parsed))
            {
                filter = parsed;
            }
            else
            {
                return Problem.Validation(new Dictionary<string, string[]> { ["status"] = [$"must be one of {EnumNames.List<WebhookDeliveryStatus>()}"] });
            }
        }
        if (!await db.Webhooks.AsNoTracking().AnyAsync(w => w.Id == id, ct))
        {
            return Problem.NotFound("webhook");
        }
        var query = db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == id);
        if (filter is { } f)
        {
            query = query.Where(d => d.Status == f);
        }
        var total = await query.LongCountAsync(ct);
        var items = await query.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Skip(page.Skip).Take(page.Size).ToListAsync(ct);
        return TypedResults.Ok(new Page<WebhookDeliveryDto>([.. items.Select(WebhookDeliveryDto.From)], page.Number, page.Size, total));
    }
}
