using EmiPlatform.Api.Auth;
using EmiPlatform.Api.OpenApi;
using EmiPlatform.Api.RateLimits;
using EmiPlatform.Data;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Problem = EmiPlatform.Api.Problems.Problem;

namespace EmiPlatform.Api.Timelines;

/// <summary>
/// Scoring results as JSON, streamed as they are read (docs/results.md): one recording's timeline, a participant's
/// timelines across recordings, a study's per-recording aggregates. Any tenant role may read them.
/// </summary>
public static class TimelinesApi
{
    public static IEndpointRouteBuilder MapTimelinesApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/recordings/{id:guid}/timeline", RecordingTimeline)
            .WithTags("Results").RequireAuthorization(Policies.TenantRead).WithName("getRecordingTimeline").WithSummary("Get a recording's timeline")
            .AddOpenApiOperationTransformer(StreamedResponses.RecordingTimeline).HoldsStreamSlot()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithDescription("Query: emotions (comma list of score names), from_s, to_s (windows overlapping the range), model (name@version; default: the newest bundle that scored the recording).");
        routes.MapGet("/v1/studies/{studyId:guid}/participants/{participantId:guid}/timelines", ParticipantTimelines)
            .WithTags("Results").RequireAuthorization(Policies.TenantRead).WithName("getParticipantTimelines").WithSummary("Get a participant's timelines")
            .AddOpenApiOperationTransformer(StreamedResponses.ParticipantTimelines).HoldsStreamSlot()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithDescription("Every recording of the participant with its timeline; unscored recordings have model null and no windows. Query as for a recording's timeline.");
        routes.MapGet("/v1/studies/{studyId:guid}/scores", StudyScores)
            .WithTags("Results").RequireAuthorization(Policies.TenantRead).WithName("getStudyScores").WithSummary("Get a study's per-recording aggregates")
            .AddOpenApiOperationTransformer(StreamedResponses.StudyScores).HoldsStreamSlot()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithDescription("Per-recording aggregates of the study. Query: emotions, model.");
        return routes;
    }

    private static async Task<IResult> RecordingTimeline(
        Guid id, [AsParameters] TimelineQuery query, EmiDbContext db, CurrentTenant tenant, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var filter = TimelineFilter.Parse(query.Emotions, query.FromS, query.ToS, query.Model, errors);
        if (errors.Count > 0)
        {
            return Problem.Validation(errors);
        }
        var connection = await ResultQueries.OpenAsync(db, ct);
        var bundle = await ResolveAsync(connection, filter.Model, ct);
        if (bundle.Problem is { } problem)
        {
            return problem;
        }
        var found = await ResultQueries.ListRecordingsAsync(connection, tenant.Id, null, null, id, bundle.Id, ct);
        if (found is not [var recording])
        {
            return Problem.NotFound("recording");
        }
        if (recording.Bundle is null)
        {
            return ResultProblems.RecordingNotScored(filter.Model);
        }
        return new StreamedResult("application/json; charset=utf-8", null, async (output, token) =>
        {
            await using var timeline = new TimelineJson(output, filter);
            var json = timeline.Writer;
            json.WriteStartObject();
            timeline.RecordingProperties(recording);
            timeline.FeatureProvenance(recording);
            timeline.FilterProperties();
            json.WriteStartArray("windows");
            await using (var reader = await ResultQueries.WindowsAsync(connection, tenant.Id, found, filter.FromS, filter.ToS, token))
            {
                while (await reader.ReadAsync(token))
                {
                    timeline.Window(reader);
                    await timeline.FlushIfFullAsync(token);
                }
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static async Task<IResult> ParticipantTimelines(
        Guid studyId, Guid participantId, [AsParameters] TimelineQuery query, EmiDbContext db, CurrentTenant tenant, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var filter = TimelineFilter.Parse(query.Emotions, query.FromS, query.ToS, query.Model, errors);
        if (errors.Count > 0)
        {
            return Problem.Validation(errors);
        }
        var connection = await ResultQueries.OpenAsync(db, ct);
        if (!await ResultQueries.ParticipantExistsAsync(connection, tenant.Id, studyId, participantId, ct))
        {
            return Problem.NotFound("participant");
        }
        var bundle = await ResolveAsync(connection, filter.Model, ct);
        if (bundle.Problem is { } problem)
        {
            return problem;
        }
        var recordings = await ResultQueries.ListRecordingsAsync(connection, tenant.Id, studyId, participantId, null, bundle.Id, ct);
        var scored = recordings.Where(r => r.Bundle is not null).ToList();
        return new StreamedResult("application/json; charset=utf-8", null, async (output, token) =>
        {
            await using var timeline = new TimelineJson(output, filter);
            var json = timeline.Writer;
            json.WriteStartObject();
            json.WriteString("studyId", studyId);
            json.WriteString("participantId", participantId);
            timeline.FilterProperties();
            json.WriteStartArray("recordings");
            NpgsqlDataReader? reader = scored.Count > 0
                ? await ResultQueries.WindowsAsync(connection, tenant.Id, scored, filter.FromS, filter.ToS, token)
                : null;
            await using (reader)
            {
                // The current row's position (column 0), read once per row: under SequentialAccess a column cannot be
                // read twice, and the row that ends one recording's windows is looked at again for the next recording.
                var rowOrdinal = reader is not null && await reader.ReadAsync(token) ? reader.GetInt64(0) : (long?)null;
                var ordinal = 0L;
                foreach (var recording in recordings)
                {
                    json.WriteStartObject();
                    timeline.RecordingProperties(recording);
                    timeline.FeatureProvenance(recording);
                    json.WriteStartArray("windows");
                    if (recording.Bundle is not null)
                    {
                        ordinal++;
                        // Rows come ordered by the scored recordings' position; this recording's are the next ones.
                        while (rowOrdinal == ordinal)
                        {
                            timeline.Window(reader!);
                            await timeline.FlushIfFullAsync(token);
                            rowOrdinal = await reader!.ReadAsync(token) ? reader.GetInt64(0) : null;
                        }
                    }
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static async Task<IResult> StudyScores(
        Guid studyId, [FromQuery] string? emotions, [FromQuery] string? model, EmiDbContext db, CurrentTenant tenant, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var filter = TimelineFilter.Parse(emotions, null, null, model, errors);
        if (errors.Count > 0)
        {
            return Problem.Validation(errors);
        }
        var connection = await ResultQueries.OpenAsync(db, ct);
        if (!await ResultQueries.StudyExistsAsync(connection, tenant.Id, studyId, ct))
        {
            return Problem.NotFound("study");
        }
        var bundle = await ResolveAsync(connection, filter.Model, ct);
        if (bundle.Problem is { } problem)
        {
            return problem;
        }
        return new StreamedResult("application/json; charset=utf-8", null, async (output, token) =>
        {
            await using var timeline = new TimelineJson(output, filter);
            var json = timeline.Writer;
            json.WriteStartObject();
            json.WriteString("studyId", studyId);
            timeline.FilterProperties();
            json.WriteStartArray("recordings");
            await using (var reader = await ResultQueries.RecordingsAsync(connection, tenant.Id, studyId, null, null, bundle.Id, token))
            {
                while (await reader.ReadAsync(token))
                {
                    var recording = ResultQueries.ReadRecording(reader);
                    json.WriteStartObject();
                    timeline.RecordingProperties(recording);
                    if (recording.Bundle is null)
                    {
                        json.WriteNull("aggregate");
                    }
                    else
                    {
                        json.WriteStartObject("aggregate");
                        timeline.Aggregate(ResultQueries.ReadAggregate(reader));
                        json.WriteEndObject();
                    }
                    json.WriteEndObject();
                    await timeline.FlushIfFullAsync(token);
                }
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    /// <summary>The named bundle's id, a 404 when none is registered under that name, or no filter at all.</summary>
    private static async Task<(Guid? Id, IResult? Problem)> ResolveAsync(NpgsqlConnection connection, ModelRef? model, CancellationToken ct)
    {
        if (model is null)
        {
            return (null, null);
        }
        return await ResultQueries.FindBundleAsync(connection, model, ct) is { } bundle
            ? (bundle.Id, null)
            : (null, ResultProblems.UnknownModel(model));
    }
}
