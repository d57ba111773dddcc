using EmiPlatform.Api.Database;
using EmiPlatform.Api.Problems;
using EmiPlatform.Data.Migrations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EmiPlatform.Api.Health;

/// <summary>/healthz: the process answers. /readyz: the database answers and carries every migration this build has.</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", () => TypedResults.Ok(new { status = "up" })).AllowAnonymous().WithTags("Health")
            .WithName("getHealth").WithSummary("Liveness: the process answers")
            .WithDescription("Anonymous; answers {\"status\": \"up\"} while the host runs, whatever its dependencies.");
        routes.MapGet("/readyz", Ready).AllowAnonymous().WithTags("Health")
            .WithName("getReadiness").WithSummary("Readiness: the database answers and carries every migration")
            .WithDescription("Anonymous; 200 {\"status\": \"ready\"}, or a 503 not-ready problem while the database is unreachable or migrations are pending.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }

    private static async Task<Results<Ok<object>, ProblemHttpResult>> Ready(
        IOptions<DatabaseOptions> options, ILoggerFactory loggers, CancellationToken ct)
    {
        try
        {
            // The application role may read the history but not change it, so readiness needs no owner credentials.
            var pending = await new SqlMigrator(options.Value.AppConnectionString, Microsoft.Extensions.Logging.Abstractions.NullLogger<SqlMigrator>.Instance)
                .PendingAsync(MigrationCatalog.Embedded(), ct);
            return pending.Count == 0
                ? TypedResults.Ok<object>(new { status = "ready" })
                : NotReady($"{pending.Count} migration(s) not applied yet, the first being {pending[0].Version:D4}_{pending[0].Name}.");
        }
        catch (Exception ex) when (ex is NpgsqlException or MigrationException)
        {
            // The endpoint is anonymous: the driver's text names the host, port and role, so it goes to the log only.
            loggers.CreateLogger(typeof(HealthApi)).LogWarning(ex, "Readiness check failed");
            return NotReady("The database does not answer, or refused this host's credentials; the host's log says which.");
        }
    }

    private static ProblemHttpResult NotReady(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready", type: ProblemTypes.NotReady);
}
