using System.Text.Json;
using System.Text.Json.Nodes;
using EmiPlatform.Api.Jobs;
using EmiPlatform.Api.Keys;
using EmiPlatform.Api.Participants;
using EmiPlatform.Api.Progress;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Studies;
using EmiPlatform.Api.Tenants;
using EmiPlatform.Api.Webhooks;
using EmiPlatform.Api.Exports;
using EmiPlatform.Api.Timelines;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace EmiPlatform.Api.OpenApi;

/// <summary>
/// Operation transformers for the endpoints whose bodies no DTO describes: the streamed upload, the SSE stream, the
/// content redirect, the streamed JSON results, the CSV export and the Prometheus scrape. Each endpoint names its own.
/// </summary>
public static class StreamedResponses
{
    public static Task RecordingUploadBody(OpenApiOperation operation, OpenApiOperationTransformerContext _, CancellationToken _1)
    {
        var bytes = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } };
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "The file's bytes, nothing else (no multipart). Any Content-Type is accepted and stored with the recording; " +
                          "ffprobe decides what is media (415 not-media otherwise).",
            Content = new Dictionary<string, OpenApiMediaType> { ["application/octet-stream"] = bytes, ["audio/*"] = bytes, ["video/*"] = bytes },
        };
        return Task.CompletedTask;
    }

    public static Task BundleUploadBody(OpenApiOperation operation, OpenApiOperationTransformerContext _, CancellationToken _1)
    {
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "A ZIP of the bundle: manifest.json (contract v2) and the head graphs it names, at the top of the archive. " +
                          "Everything else the manifest names (the backbone, the face and speech stages) it names by the platform's SHA-256 and does not upload.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/zip"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
            },
        };
        return Task.CompletedTask;
    }

    public static Task ContentRedirect(OpenApiOperation operation, OpenApiOperationTransformerContext _, CancellationToken _1)
    {
        operation.Responses![StatusCodes.Status302Found.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
        {
            Description = "Found: follow Location, a read SAS URL of the recording's blob valid for 10 minutes (Cache-Control: no-store).",
            Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Location"] = new OpenApiHeader { Required = true, Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri" } },
            },
        };
        return Task.CompletedTask;
    }

    public static Task StudyEvents(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken _)
    {
        var json = context.ApplicationServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var progress = new StudyProgressDto(Guid.Parse("019ad4c4-8a00-7000-8000-000000000001"), 3, 1, 8, 0, 0, 12, 96.2, 149.8, 21.5,
            new DateTimeOffset(2026, 11, 30, 9, 15, 0, TimeSpan.Zero), null);
        var job = new StudyJobEventDto(Guid.Parse("019ad4c4-8a02-74b3-8f1d-2c6e9a0b5d71"), Guid.Parse("019ad4c4-7f10-7e65-9c28-d5a3b1f04e96"),
            "P017_clip-03.mp4", "P017", "running", 0.4f, 1, null);
        JsonObject Event(string type, string? id, StudyEventDto data)
        {
            var item = new JsonObject { ["data"] = JsonSerializer.SerializeToNode(data, json), ["eventType"] = type };
            if (id is not null)
            {
                item["eventId"] = id;
            }
            return item;
        }
        var media = operation.Responses!["200"].Content!["text/event-stream"];
        media.Examples = new Dictionary<string, IOpenApiExample>
        {
            ["snapshot"] = new OpenApiExample { Summary = "First event: the run's jobs", Value = Event("snapshot", "41", new StudyEventDto("snapshot", progress, null, [job])) },
            ["job"] = new OpenApiExample { Summary = "A job changed state", Value = Event("job", "42", new StudyEventDto("job", progress, job with { State = "succeeded", Progress = 1 }, null)) },
            ["progress"] = new OpenApiExample { Summary = "A running job's fraction done", Value = Event("progress", "43", new StudyEventDto("progress", progress, job, null)) },
            ["completed"] = new OpenApiExample { Summary = "The run ended", Value = Event("completed", "44", new StudyEventDto("completed", progress, null, null)) },
            ["heartbeat"] = new OpenApiExample { Summary = "Every quiet 15 s, without an id", Value = Event("heartbeat", null, new StudyEventDto("heartbeat", progress, null, null)) },
        };
        ((OpenApiResponse)operation.Responses["200"]).Description =
            "text/event-stream: each event is 'event: <eventType>', 'id: <eventId>' (not on heartbeats) and 'data: <StudyEventDto as JSON>'. " +
            "Events: snapshot, job, progress, completed, heartbeat (docs/api.md, Live progress).";
        return Task.CompletedTask;
    }

    public static Task RecordingTimeline(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken _) =>
        StreamedJson(operation, context, TimelineSchemas.RecordingTimeline, "The recording's windows, streamed as they are read.");

    public static Task ParticipantTimelines(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken _) =>
        StreamedJson(operation, context, TimelineSchemas.ParticipantTimelines, "Every recording of the participant with its windows, streamed.");

    public static Task StudyScores(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken _) =>
        StreamedJson(operation, context, TimelineSchemas.StudyScores, "Every recording of the study with its aggregate (null until scored), streamed.");

    public static Task CsvExport(OpenApiOperation operation, OpenApiOperationTransformerContext _, CancellationToken _1)
    {
        foreach (var parameter in operation.Parameters ?? [])
        {
            var values = parameter.Name switch { "format" => new[] { "long", "aggregate", "recordings", "events" }, "formulas" => ["escaped", "raw"], _ => null };
            if (values is not null && parameter.Schema is OpenApiSchema schema)
            {
                // The first is what an absent parameter means; any other value is a 422.
                schema.Enum = [.. values.Select(v => (JsonNode)v)];
                schema.Default = values[0];
            }
        }
        operation.Responses!["200"] = new OpenApiResponse
        {
            Description = "RFC 4180 CSV (text/csv; charset=utf-8; header=present), streamed: a header row, then a row per window (long) or " +
                          "per recording (aggregate, recordings) or per event of each scored recording (events). Columns: docs/results.md.",
            Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Content-Disposition"] = new OpenApiHeader
                {
                    Description = "attachment; filename=\"emi-study-<studyId>-<format>.csv\"",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                },
            },
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["text/csv"] = new()
                {
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    Examples = new Dictionary<string, IOpenApiExample>
                    {
                        ["long"] = new OpenApiExample { Summary = "format=long: the header row", Value = string.Join(',', Exports.CsvExport.LongColumns) + "\r\n" },
                        ["aggregate"] = new OpenApiExample { Summary = "format=aggregate: the header row", Value = string.Join(',', Exports.CsvExport.AggregateColumns) + "\r\n" },
                        ["events"] = new OpenApiExample { Summary = "format=events: the header row", Value = string.Join(',', Exports.CsvExport.EventsColumns) + "\r\n" },
                    },
                },
            },
        };
        return Task.CompletedTask;
    }

    private static Task StreamedJson(OpenApiOperation operation, OpenApiOperationTransformerContext context, string schema, string description)
    {
        operation.Responses ??= [];
        operation.Responses["200"] = new OpenApiResponse
        {
            Description = description + " Chunked, no Content-Length; a failure midway aborts the connection rather than end the JSON early.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = TimelineSchemas.Reference(context.Document!, schema) },
            },
        };
        return Task.CompletedTask;
    }
}
