using System.Text;
using System.Text.Json;
using EmiPlatform.Api.Auth;
using EmiPlatform.Api.RateLimits;
using EmiPlatform.Api.Timelines;
using EmiPlatform.Data;
using EmiPlatform.Results;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Problem = EmiPlatform.Api.Problems.Problem;

namespace EmiPlatform.Api.Events;

/// <summary>
/// Stimulus events inside recordings (docs/results.md, "Events"): a recording's list set whole (JSON or CSV), a
/// study's lists imported from one experiment log, and the per-event results. Setting events never re-scores: windows
/// are joined to events when results are read.
/// </summary>
public static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder routes)
    {
        var byRecording = routes.MapGroup("/v1/recordings/{id:guid}/events").WithTags("Events").RequireAuthorization(Policies.TenantRead);
        byRecording.MapGet("/", List).WithName("getRecordingEvents").WithSummary("Get a recording's events")
            .WithDescription("The recording's events by onset, with the recording's duration.").ProducesProblem(StatusCodes.Status404NotFound);
        byRecording.MapPut("/", Replace).RequireAuthorization(Policies.TenantWrite).WithName("setRecordingEvents").WithSummary("Set a recording's events")
            .WithDescription("Replaces the recording's events with the body's: application/json {\"events\": [{onset_s, offset_s | duration_s, kind, stimulus, trial, condition}]} " +
                "or text/csv with those columns. Overlapping, out-of-range or malformed events are refused with 422 invalid-events listing each offending row " +
                $"(at most {EventLimits.MaxListedErrors}); nothing is changed then. No re-score is needed.")
            .Accepts<EventsBody>("application/json", "text/csv")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        var ofStudy = routes.MapGroup("/v1/studies/{studyId:guid}").WithTags("Events").RequireAuthorization(Policies.TenantRead);
        ofStudy.MapPost("/events/import", Import).RequireAuthorization(Policies.TenantWrite).WithName("importStudyEvents")
            .WithSummary("Import a study's events from an experiment log (CSV)")
            .WithDescription("text/csv with recording_id or recording (the original file name; participant narrows it), onset_s, offset_s or duration_s, " +
                "and optionally kind, stimulus, trial, condition; other columns are ignored. Each recording named gets exactly its rows as its events " +
                "(recordings not named keep theirs). All or nothing: any invalid row refuses the whole file with 422 invalid-events.")
            .Accepts<string>("text/csv")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        ofStudy.MapGet("/event-results", GetResults).HoldsStreamSlot().WithName("getEventResults").WithSummary("Get per-event results")
            .WithDescription("One row per event of each scored recording (of one participant with participantId): the columns of the export's " +
                "format=events, as JSON. Query: participantId, model (name@version).")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return routes;
    }

    private static async Task<Results<Ok<RecordingEventsDto>, ProblemHttpResult>> List(Guid id, EmiDbContext db, CurrentTenant tenant, CancellationToken ct)
    {
        var connection = await ResultQueries.OpenAsync(db, ct);
        if (await EventStore.RecordingAsync(connection, tenant.Id, id, ct) is not { } recording)
        {
            return Problem.NotFound("recording");
        }
        return TypedResults.Ok(new RecordingEventsDto(id, recording.DurationS, await EventStore.ListAsync(connection, tenant.Id, id, ct)));
    }

    private static async Task<Results<Ok<RecordingEventsDto>, ProblemHttpResult>> Replace(
        Guid id, HttpRequest request, EmiDbContext db, CurrentTenant tenant, CancellationToken ct)
    {
        var connection = await ResultQueries.OpenAsync(db, ct);
        if (await EventStore.RecordingAsync(connection, tenant.Id, id, ct) is not { } recording)
        {
            return Problem.NotFound("recording");
        }
        var body = await ReadBodyAsync(request, ct);
        if (body.Problem is { } problem)
        {
            return problem;
        }
        List<EventCandidate> rows;
        var errors = new List<EventRowError>();
        if (IsCsv(request))
        {
            var read = EventRows.Read(body.Text!, keyed: false);
            if (Refusal(read) is { } refused)
            {
                return refused;
            }
            (rows, errors) = (read.Rows, read.Errors);
        }
        else
        {
            EventsBody? parsed;
            try
            {
                parsed = JsonSerializer.Deserialize<EventsBody>(body.Text!,
                    request.HttpContext.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions);
            }
            catch (JsonException e)
            {
                return Problem.Create(StatusCodes.Status400BadRequest, Problems.ProblemTypes.MalformedRequest, "Bad request",
                    $"The body is not valid JSON for this endpoint: {e.Message}");
            }
            if (parsed?.Events is not { } events)
            {
                return EventProblems.Refused("The body needs an 'events' array (empty to clear the recording's events).");
            }
            if (events.Count > EventLimits.MaxRows)
            {
                return EventProblems.TooLarge($"More than {EventLimits.MaxRows} events in one request.");
            }
            rows = [.. events.Select((e, i) => new EventCandidate(i + 1, id, null, null, e ?? new EventInput(null, null, null, null, null, null, null)))];
        }
        var valid = EventValidator.Validate(rows, recording.DurationS, errors);
        if (errors.Count > 0 || valid is null)
        {
            return EventProblems.Invalid(errors);
        }
        if (!await EventStore.ReplaceAsync(connection, tenant.Id, new Dictionary<Guid, List<EventDto>> { [id] = valid }, ct))
        {
            return Problem.NotFound("recording");
        }
        return TypedResults.Ok(new RecordingEventsDto(id, recording.DurationS, valid));
    }

    private static async Task<Results<Ok<EventImportDto>, ProblemHttpResult>> Import(
        Guid studyId, HttpRequest request, EmiDbContext db, CurrentTenant tenant, CancellationToken ct)
    {
        var connection = await ResultQueries.OpenAsync(db, ct);
        if (!await ResultQueries.StudyExistsAsync(connection, tenant.Id, studyId, ct))
        {
            return Problem.NotFound("study");
        }
        if (!IsCsv(request))
        {
            return Problem.Create(StatusCodes.Status415UnsupportedMediaType, Problems.ProblemTypes.UnsupportedMediaType, "Unsupported media type",
                "Send the experiment log as text/csv.");
        }
        var body = await ReadBodyAsync(request, ct);
        if (body.Problem is { } problem)
        {
            return problem;
        }
        var read = EventRows.Read(body.Text!, keyed: true);
        if (Refusal(read) is { } refused)
        {
            return refused;
        }
        var errors = read.Errors;
        var targets = await EventStore.StudyRecordingsAsync(connection, tenant.Id, studyId, ct);
        var byId = targets.ToDictionary(t => t.Id);
        var byName = targets.ToLookup(t => t.FileName, StringComparer.Ordinal);
        var groups = new Dictionary<Guid, List<EventCandidate>>();
        foreach (var row in read.Rows)
        {
            EventTarget? target = null;
            if (row.RecordingId is { } rid)
            {
                if (!byId.TryGetValue(rid, out target))
                {
                    errors.Add(new EventRowError(row.Row, row.Names, "no recording of this study has this id"));
                }
            }
            else
            {
                var matches = byName[row.FileName!].Where(t => row.Participant is null || t.ParticipantCode == row.Participant).ToList();
                if (matches is [var only])
                {
                    target = only;
                }
                else
                {
                    errors.Add(new EventRowError(row.Row, row.Names, matches.Count == 0
                        ? "no recording of this study has this original file name" + (row.Participant is null ? "" : $" for participant '{EventRows.Shorten(row.Participant)}'")
                        : $"{matches.Count} recordings of this study have this file name: add a participant column or use recording_id"));
                }
            }
            if (target is not null)
            {
                if (!groups.TryGetValue(target.Id, out var list))
                {
                    groups[target.Id] = list = [];
                }
                list.Add(row);
            }
        }
        var valid = new Dictionary<Guid, List<EventDto>>();
        foreach (var (recordingId, rows) in groups)
        {
            if (EventValidator.Validate(rows, byId[recordingId].DurationS, errors) is { } events)
            {
                valid[recordingId] = events;
            }
        }
        if (errors.Count > 0)
        {
            return EventProblems.Invalid(errors);
        }
        if (!await EventStore.ReplaceAsync(connection, tenant.Id, valid, ct))
        {
            return Problem.Conflict("A recording named in the file was deleted meanwhile; nothing was changed. Send the file again.");
        }
        return TypedResults.Ok(new EventImportDto(studyId, valid.Count, valid.Values.Sum(v => v.Count)));
    }

    private static async Task<IResult> GetResults(
        Guid studyId, [FromQuery] Guid? participantId, [FromQuery] string? model, EmiDbContext db, CurrentTenant tenant, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var modelRef = TimelineFilter.ParseModel(model, errors);
        if (errors.Count > 0)
        {
            return Problem.Validation(errors);
        }
        var connection = await ResultQueries.OpenAsync(db, ct);
        if (participantId is { } pid ? !await ResultQueries.ParticipantExistsAsync(connection, tenant.Id, studyId, pid, ct)
                                     : !await ResultQueries.StudyExistsAsync(connection, tenant.Id, studyId, ct))
        {
            return Problem.NotFound(participantId is null ? "study" : "participant");
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
        var recordings = (await ResultQueries.ListRecordingsAsync(connection, tenant.Id, studyId, participantId, null, bundleId, ct))
            .Where(r => r.Bundle is not null).ToList();
        return new StreamedResult("application/json; charset=utf-8", null, async (output, token) =>
        {
            await using var timeline = new TimelineJson(output, TimelineFilter.Parse(null, null, null, null, new Dictionary<string, string[]>()));
            var json = timeline.Writer;
            json.WriteStartObject();
            json.WriteString("studyId", studyId);
            if (participantId is { } p)
            {
                json.WriteString("participantId", p);
            }
            else
            {
                json.WriteNull("participantId");
            }
            json.WriteStartArray("columns");
            foreach (var column in EventColumns.Result)
            {
                json.WriteStringValue(column);
            }
            json.WriteEndArray();
            json.WriteStartArray("events");
            if (recordings.Count > 0)
            {
                await using var reader = await EventResults.ReadAsync(connection, tenant.Id, recordings, token);
                while (await reader.ReadAsync(token))
                {
                    var recording = recordings[(int)reader.GetInt64(0) - 1];
                    timeline.EventResult(recording, EventResults.ReadRow(reader));
                    await timeline.FlushIfFullAsync(token);
                }
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static bool IsCsv(HttpRequest request) =>
        request.ContentType is { } type && (type.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase)
                                            || type.StartsWith("application/csv", StringComparison.OrdinalIgnoreCase));

    private static ProblemHttpResult? Refusal(EventRowsRead read) =>
        read.TooMany ? EventProblems.TooLarge(read.Refusal!)
        : read.Refusal is { } why ? EventProblems.Refused(why)
        : null;

    /// <summary>The body as UTF-8 text, read to at most <see cref="EventLimits.MaxBodyBytes"/>; over that, a 413 without reading on.</summary>
    private static async Task<(string? Text, ProblemHttpResult? Problem)> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (!IsCsv(request) && request.HasJsonContentType() is false)
        {
            return (null, Problem.Create(StatusCodes.Status415UnsupportedMediaType, Problems.ProblemTypes.UnsupportedMediaType, "Unsupported media type",
                "Send the events as application/json or text/csv."));
        }
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = EventLimits.MaxBodyBytes + 1; // one byte over lets the loop below see and name the overflow
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > EventLimits.MaxBodyBytes)
            {
                return (null, EventProblems.TooLarge($"The body is larger than {EventLimits.MaxBodyBytes / (1024 * 1024)} MiB."));
            }
            buffer.Write(chunk, 0, read);
        }
        try
        {
            return (new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length), null);
        }
        catch (DecoderFallbackException)
        {
            return (null, EventProblems.Refused("The body is not UTF-8 text."));
        }
    }
}
