using EmiPlatform.Api.Auth;
using EmiPlatform.Api.OpenApi;
using EmiPlatform.Api.Problems;
using EmiPlatform.Bundles;
using EmiPlatform.Bundles.Tenants;
using EmiPlatform.Data.Entities;
using EmiPlatform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Problem = EmiPlatform.Api.Problems.Problem;

namespace EmiPlatform.Api.Bundles;

/// <summary>
/// Registered model bundles. A tenant lists the platform's bundles and its own (row-level security hides other labs');
/// a platform admin registers platform bundles from a directory every worker reads at the same path, and a tenant admin
/// uploads the lab's own head bundle. Registered bundles are immutable.
/// </summary>
public static class BundlesApi
{
    public static IEndpointRouteBuilder MapBundlesApi(this IEndpointRouteBuilder routes)
    {
        var bundles = routes.MapGroup("/v1/bundles").WithTags("Model bundles").RequireAuthorization(Policies.TenantRead);
        bundles.MapGet("/", List)
            .WithName("listBundles").WithSummary("List registered model bundles")
            .WithDescription("The platform's bundles and the lab's own (owner: platform | tenant): name, version, trained flag, to re-score with one.");
        bundles.MapGet("/{id:guid}", Get).WithName("getBundle").WithSummary("Get a model bundle with its manifest")
            .WithDescription("A platform bundle or the lab's own, with its manifest (which names each branch's backbone by SHA-256).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        bundles.MapPost("/", RegisterOwn).RequireAuthorization(Policies.TenantAdmin)
            .WithName("registerTenantBundle").WithSummary("Register the lab's own bundle (tenant admin)")
            .WithDescription("The body is a ZIP of manifest.json (contract v2) and its head graphs; each branch names a backbone the platform has by " +
                "SHA-256, and the head's input must fit that backbone's features. Only this tenant sees and scores with it. 201 with the bundle, " +
                "or 200 with the existing one when the same manifest is registered again.")
            .AddOpenApiOperationTransformer(StreamedResponses.BundleUploadBody)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        var admin = routes.MapGroup("/v1/admin/bundles").WithTags("Admin: model bundles").RequireAuthorization(Policies.PlatformAdmin);
        admin.MapGet("/", ListAsAdmin).WithName("listBundlesAsAdmin").WithSummary("List registered model bundles (platform admin)")
            .WithDescription("The same list for the platform admin's key.");
        admin.MapGet("/{id:guid}", GetAsAdmin).WithName("getBundleAsAdmin").WithSummary("Get a registered model bundle (platform admin)")
            .WithDescription("One bundle as listed: name, version, trained flag, location and when it was registered.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/", Register).WithName("registerBundle").WithSummary("Register a model bundle")
            .WithDescription("From a directory every worker reads at the same path; registered bundles are immutable (registering one again answers 200 with it).")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return routes;
    }

    private static async Task<Ok<List<BundleDto>>> List(EmiDbContext db, CancellationToken ct) =>
        TypedResults.Ok((await db.ModelBundles.AsNoTracking().OrderBy(b => b.Name).ThenBy(b => b.RegisteredAt).ToListAsync(ct)).Select(BundleDto.From).ToList());

    private static async Task<Results<Ok<BundleDetailDto>, ProblemHttpResult>> Get(Guid id, EmiDbContext db, CancellationToken ct) =>
        await db.ModelBundles.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id, ct) is { } bundle
            ? TypedResults.Ok(BundleDetailDto.From(bundle))
            : Problem.NotFound("model bundle");

    private static async Task<Results<Created<BundleDto>, Ok<BundleDto>, ProblemHttpResult>> RegisterOwn(
        HttpRequest request, EmiDbContext db, CurrentTenant tenant, TenantBundleRegistrar registrar, CancellationToken ct)
    {
        if (request.ContentType is not { } type || !type.StartsWith("application/zip", StringComparison.OrdinalIgnoreCase))
        {
            return Problem.Create(StatusCodes.Status415UnsupportedMediaType, ProblemTypes.UnsupportedMediaType, "Unsupported media type",
                "Send the bundle as a ZIP (Content-Type: application/zip) of manifest.json and its head graphs.");
        }
        if (request.ContentLength > registrar.MaxUploadBytes)
        {
            return Problem.Create(StatusCodes.Status413PayloadTooLarge, ProblemTypes.PayloadTooLarge, "Payload too large",
                $"The upload is over {registrar.MaxUploadBytes} bytes.");
        }
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = registrar.MaxUploadBytes + 1; // one byte over lets the registrar see and name the overflow itself
        }
        RegisteredBundle prepared;
        try
        {
            prepared = await registrar.PrepareAsync(tenant.Id, request.Body, ct);
        }
        catch (TenantBundleException ex)
        {
            return ex.Kind switch
            {
                TenantBundleProblem.TooLarge => Problem.Create(StatusCodes.Status413PayloadTooLarge, ProblemTypes.PayloadTooLarge, "Payload too large", ex.Message),
                TenantBundleProblem.Conflict => Problem.Conflict(ex.Message),
                _ => Problem.Validation(new Dictionary<string, string[]> { [ex.Field] = [ex.Message] }),
            };
        }
        var existing = await db.ModelBundles.AsNoTracking()
            .SingleOrDefaultAsync(b => b.TenantId == prepared.TenantId && b.Name == prepared.Name && b.Version == prepared.Version, ct);
        if (existing is not null)
        {
            TenantBundleRegistrar.Discard(prepared);
            return JsonEquals(existing.Manifest, prepared.Manifest)
                ? TypedResults.Ok(BundleDto.From(existing))
                : Problem.Conflict($"{existing.Name} {existing.Version} is registered with another manifest; registered bundles are immutable, give new weights a new version.");
        }
        db.ModelBundles.Add(prepared);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            TenantBundleRegistrar.Discard(prepared);
            return Problem.Conflict($"{prepared.Name} {prepared.Version} was registered by another request at the same time; list the bundles to find it.");
        }
        return TypedResults.Created($"/v1/bundles/{prepared.Id}", BundleDto.From(prepared));
    }

    private static bool JsonEquals(string a, string b)
    {
        using var x = System.Text.Json.JsonDocument.Parse(a);
        using var y = System.Text.Json.JsonDocument.Parse(b);
        return System.Text.Json.JsonElement.DeepEquals(x.RootElement, y.RootElement);
    }

    private static Task<Ok<List<BundleDto>>> ListAsAdmin(AdminDbContext db, CancellationToken ct) => List(db, ct);

    private static async Task<Results<Ok<BundleDto>, ProblemHttpResult>> GetAsAdmin(Guid id, AdminDbContext db, CancellationToken ct) =>
        await db.ModelBundles.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id, ct) is { } bundle
            ? TypedResults.Ok(BundleDto.From(bundle))
            : Problem.NotFound("model bundle");

    private static async Task<Results<Created<BundleDto>, Ok<BundleDto>, ProblemHttpResult>> Register(
        RegisterBundleRequest request, BundleRegistry registry, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Location) || !Path.IsPathFullyQualified(request.Location))
        {
            return Problem.Validation(new Dictionary<string, string[]> { ["location"] = ["an absolute directory path on the servers is required"] });
        }
        try
        {
            var (bundle, created) = await registry.RegisterAsync(request.Location, ct);
            return created ? TypedResults.Created($"/v1/admin/bundles/{bundle.Id}", BundleDto.From(bundle)) : TypedResults.Ok(BundleDto.From(bundle));
        }
        catch (ModelBundleException ex)
        {
            return Problem.Validation(new Dictionary<string, string[]> { ["location"] = [ex.Message] });
        }
    }
}
