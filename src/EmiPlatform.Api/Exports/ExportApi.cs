using EmiPlatform.Api.Auth;
using EmiPlatform.Api.OpenApi;
using EmiPlatform.Api.RateLimits;
using EmiPlatform.Api.Timelines;
using EmiPlatform.Csv;
using EmiPlatform.Data;
using EmiPlatform.Telemetry;
using Problem = EmiPlatform.Api.Problems.Problem;

namespace EmiPlatform.Api.Exports;

/// <summary>
/// A study's results as CSV (docs/results.md), streamed from PostgreSQL to the response with constant memory
/// whatever the number of windows. Any tenant role may export: analysts are who it is for.
/// </summary>
public static class ExportApi
{
    private static readonly string[] Formats = ["long", "aggregate", "recordings", "events"];
    private static readonly string[] FormulaModes = ["escaped", "raw"];

    public static IEndpointRouteBuilder MapExportApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/studies/{studyId:guid}/export", Export)
            .WithTags("Results").RequireAuthorization(Policies.TenantRead).RequireRateLimiting(RateLimitPolicies.Exports)
            .WithName("exportStudyCsv").WithSummary("Export a study's results as CSV")
            .AddOpenApiOperationTransformer(StreamedResponses.CsvExport)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithDescription("Query: format = long (one row per window, the default) | aggregate (one row per scored recording) | " +
                             "recordings (one row per recording whatever became of it: status scored, failed, cancelled, queued, running or not-scored, " +
                             "with the job's error; the companion that names what the other two leave out) | " +
                             "events (one row per stimulus event of each scored recording: mean, peak, time to peak and baseline-corrected mean of each measure); " +
                             "model = name@version (default: per recording, the newest bundle that scored it); " +
                             "formulas = escaped (the default: a text cell starting with =, +, -, @, tab or CR is written as \"'…\" so a " +
                             "spreadsheet shows it as text instead of running it) | raw (text exactly as stored, for pipelines). Numbers are never changed.");
        return routes;
    }

    private static async Task<IResult> Export(
        Guid studyId, [AsParameters] ExportQuery query, EmiDbContext db, CurrentTenant tenant, EmiMetrics metrics, CancellationToken ct)
    {
        var (format, model, formulas) = query;
        var errors = new Dictionary<string, string[]>();
        format ??= "long";
        if (!Formats.Contains(format))
        {
            errors["format"] = [$"must be one of {string.Join(", ", Formats)}"];
        }
        formulas ??= "escaped";
        if (!FormulaModes.Contains(formulas))
        {
            errors["formulas"] = [$"must be one of {string.Join(", ", FormulaModes)}"];
        }
        var modelRef = TimelineFilter.ParseModel(model, errors);
        if (errors.Count > 0)
        {
            return Problem.Validation(errors);
        }
        var connection = await ResultQueries.OpenAsync(db, ct);
        if (!await ResultQueries.StudyExistsAsync(connection, tenant.Id, studyId, ct))
        {
            return Problem.NotFound("study");
        }
        Guid? bundleId = null;
        if (modelRef is not null)
        {
            if (await ResultQueries.FindBundleAsync(connection, modelRef, ct) is not { } bundle)
            {
                return ResultProblems.UnknownModel(modelRef);
            }
            bundleId = bundle.Id;
        }
        var mode = formulas == "raw" ? CsvFormulas.Raw : CsvFormulas.Escaped;
        var fileName = $"emi-study-{studyId}-{format}.csv";
        const string contentType = "text/csv; charset=utf-8; header=present";
        if (format == "recordings")
        {
            return new StreamedResult(contentType, fileName,
                async (output, token) => metrics.RecordExportRows(tenant.Id, format,
                    await CsvExport.WriteRecordingsAsync(output, connection, tenant.Id, studyId, bundleId, mode, token)));
        }
        if (format == "aggregate")
        {
            return new StreamedResult(contentType, fileName,
                async (output, token) => metrics.RecordExportRows(tenant.Id, format,
                    await CsvExport.WriteAggregateAsync(output, connection, tenant.Id, studyId, bundleId, mode, token)));
        }
        var recordings = (await ResultQueries.ListRecordingsAsync(connection, tenant.Id, studyId, null, null, bundleId, ct))
            .Where(r => r.Bundle is not null).ToList();
        if (format == "events")
        {
            return new StreamedResult(contentType, fileName,
                async (output, token) => metrics.RecordExportRows(tenant.Id, format, await CsvExport.WriteEventsAsync(output, connection, tenant.Id, recordings, mode, token)));
        }
        return new StreamedResult(contentType, fileName,
            async (output, token) => metrics.RecordExportRows(tenant.Id, format, await CsvExport.WriteLongAsync(output, connection, tenant.Id, recordings, mode, token)));
    }
}
