using EmiPlatform.Api.Auth;
using EmiPlatform.Bundles;
using EmiPlatform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Problem = EmiPlatform.Api.Problems.Problem;

namespace EmiPlatform.Api.Bundles;

/// <summary>
/// Registered model bundles. Every tenant may list them (to re-score with one); only a platform admin registers one,
/// from a directory every worker can read at the same path. Registered bundles are immutable.
/// </summary>
public static class BundlesApi
{
    public static IEndpointRouteBuilder MapBundlesApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/v1/bundles").WithTags("Model bundles").RequireAuthorization(Policies.TenantRead).MapGet("/", List)
            .WithName("listBundles").WithSummary("List registered model bundles")
            .WithDescription("Every registered bundle (name, version, trained flag), to re-score with one.");
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
