using EmiPlatform.Api.Auth;
using EmiPlatform.Api.OpenApi;
using EmiPlatform.Api.RateLimits;
using EmiPlatform.Api.Timelines;
using EmiPlatform.Csv;
using EmiPlatform.Data;
using EmiPlatform.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
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
            .AddOpenApiOperationTransformer(StreamedResponses.CsvExport).HoldsStreamSlot()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithDescription("Query: format = long (one row per window, the default) | aggregate (one row per scored recording) | " +
                             "recordings (one row per recording whatever became of it: status scored, failed, cancelled, queued, running or not-scored, " +
                             "with the job's error; the companion that names what the other two leave out) | " +
                             "events (one row per stimulus event of each scored recording: mean, peak, time to peak and baseline-corrected mean of each measure); " +
                             "model = name@version (default: per recording, the newest bundle that scored it); " +
                             "formulas = escaped (the default: a text cell starting with =, +, -, @, tab or CR is written as \"'…\" so a " +
                             "spreadsheet shows it as text instead of running it) | raw (text exactly as stored, for pipelines). Numbers are never changed. " +
                             "Every layout ends with one meta_<key> column per participant metadata key used in the study; " +
                             "getStudyExportSchema describes each column (Frictionless Table Schema).");
        routes.MapGet("/v1/studies/{studyId:guid}/export/schema", Schema)
            .WithTags("Results").RequireAuthorization(Policies.TenantRead)
            .WithName("getStudyExportSchema").WithSummary("Describe a study export's CSV columns")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithDescription("A Frictionless Table Schema of the CSV that export answers with the same format (long, the default, aggregate " +
                             "or recordings) for this study: every column in header order with its type (string, integer, number, boolean), " +
                             "uuid format, unit and range, the study's meta_<key> columns included. Read text columns such as trial as text with it " +
                             "(pandas dtype=str, R colClasses=\"character\"): docs/results.md.");
        return routes;
    }

    private static async Task<Results<Ok<TableSchema>, ProblemHttpResult>> Schema(
        Guid studyId, [FromQuery(Name = "format")] string? format, EmiDbContext db, CurrentTenant tenant, CancellationToken ct)
    {
        format ??= "long";
        if (!Formats.Contains(format))
        {
            return Problem.Validation(new Dictionary<string, string[]> { ["format"] = [$"must be one of {string.Join(", ", Formats)}"] });
        }
        var connection = await ResultQueries.OpenAsync(db, ct);
        if (!await ResultQueries.StudyExistsAsync(connection, tenant.Id, studyId, ct))
        {
            return Problem.NotFound("study");
        }
        var metadata = await ParticipantMetadata.LoadAsync(connection, tenant.Id, studyId, ct);
        return TypedResults.Ok(TableSchema.Of(format, [.. ExportColumns.Of(format), .. metadata.Columns]));
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
        var metadata = await ParticipantMetadata.LoadAsync(connection, tenant.Id, studyId, ct);
        var fileName = $"emi-study-{studyId}-{format}.csv";
        const string contentType = "text/csv; charset=utf-8; header=present";
        if (format == "recordings")
        {
            return new StreamedResult(contentType, fileName,
                async (output, token) => metrics.RecordExportRows(tenant.Id, format,
                    await CsvExport.WriteRecordingsAsync(output, connection, tenant.Id, studyId, bundleId, metadata, mode, token)));
        }
        if (format == "aggregate")
        {
            return new StreamedResult(contentType, fileName,
                async (output, token) => metrics.RecordExportRows(tenant.Id, format,
                    await CsvExport.WriteAggregateAsync(output, connection, tenant.Id, studyId, bundleId, metadata, mode, token)));
        }
        var recordings = (await ResultQueries.ListRecordingsAsync(connection, tenant.Id, studyId, null, null, bundleId, ct))
            .Where(r => r.Bundle is not null).ToList();
        if (format == "events")
        {
            return new StreamedResult(contentType, fileName,
                async (output, token) => metrics.RecordExportRows(tenant.Id, format, await CsvExport.WriteEventsAsync(output, connection, tenant.Id, recordings, metadata, mode, token)));
        }
        return new StreamedResult(contentType, fileName,
            async (output, token) => metrics.RecordExportRows(tenant.Id, format, await CsvExport.WriteLongAsync(output, connection, tenant.Id, recordings, metadata, mode, token)));
    }
}
