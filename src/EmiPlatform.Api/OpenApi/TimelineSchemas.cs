using System.Text.Json.Nodes;
using EmiPlatform.Results;
using Microsoft.OpenApi;

namespace EmiPlatform.Api.OpenApi;

/// <summary>
/// The shapes <see cref="Results.TimelineJson"/> writes, which no DTO holds (the JSON is streamed as it is read):
/// window and aggregate values are the <see cref="ScoreColumns"/>, named like the CSV columns.
/// </summary>
internal static class TimelineSchemas
{
    public const string RecordingTimeline = "RecordingTimeline";
    public const string ParticipantTimelines = "ParticipantTimelines";
    public const string StudyScores = "StudyScores";

    /// <summary>Adds the three result schemas (once) and answers a reference to <paramref name="name"/>.</summary>
    public static OpenApiSchemaReference Reference(OpenApiDocument document, string name)
    {
        if (document.Components?.Schemas?.ContainsKey(name) != true)
        {
            var timeline = Extend([.. Recording(), ("features", Nullable(Features())), .. Filter()], ("windows", Array(Window())));
            timeline.Examples = [Example()];
            document.AddComponent(RecordingTimeline, timeline);
            document.AddComponent(ParticipantTimelines, Object(
                [("studyId", Uuid()), ("participantId", Uuid()), .. Filter(), ("recordings", Array(Extend(Recording(), ("features", Nullable(Features())), ("windows", Array(Window())))))]));
            document.AddComponent(StudyScores, Object(
                [("studyId", Uuid()), .. Filter(), ("recordings", Array(Extend(Recording(), ("aggregate", Nullable(Aggregate())))))]));
        }
        return new OpenApiSchemaReference(name, document);
    }

    /// <summary>Two windows of a recording with audio and video, every score selected.</summary>
    private static JsonObject Example()
    {
        var windows = new JsonArray();
        for (var i = 0; i < 2; i++)
        {
            var window = new JsonObject { ["index"] = i, ["start_s"] = i * 0.5, ["end_s"] = (i + 1) * 0.5 };
            foreach (var column in ScoreColumns.All)
            {
                window[column.JsonName] = column.IsFlag ? JsonValue.Create(true) : JsonValue.Create(Math.Round(0.21 + (0.03 * window.Count) + (0.05 * i), 2));
            }
            window["event"] = 0;
            window["event_kind"] = "stimulus";
            window["event_stimulus"] = "clip-03";
            window["event_trial"] = "1";
            window["event_condition"] = null;
            window["t_rel_s"] = 0.25 + (i * 0.5);
            windows.Add(window);
        }
        return new JsonObject
        {
            ["recordingId"] = "019ad4c4-7f10-7e65-9c28-d5a3b1f04e96", ["studyId"] = "019ad4c3-05aa-7b19-b2c7-6e0d4f9a8b13",
            ["participantId"] = "019ad4c3-2b4e-71d8-a3f6-98c1e5b7d402", ["participantCode"] = "P017", ["fileName"] = "P017_clip-03.mp4",
            ["stimulus"] = "clip-03", ["trial"] = "1",
            ["model"] = new JsonObject { ["name"] = "reference-tiny", ["version"] = "1.0.0", ["trained"] = false },
            ["features"] = new JsonObject
            {
                ["audio_backbone_sha256"] = "5f1d3c9a0b7e24f68a1c0d9e3b57a2f4c8e6d1b09a3f7c5e2d4b6a8c0e1f3a5b7", ["audio_features_cached"] = true,
                ["visual_backbone_sha256"] = "a9c2e4f6081b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f", ["visual_features_cached"] = true,
            },
            ["scores"] = new JsonArray([.. ScoreColumns.Selectable.Select(n => (JsonNode)n)]), ["fromS"] = null, ["toS"] = null,
            ["windows"] = windows,
        };
    }

    private static (string, IOpenApiSchema)[] Recording() =>
    [
        ("recordingId", Uuid()), ("studyId", Uuid()), ("participantId", Uuid()), ("participantCode", Text()), ("fileName", Text()),
        ("stimulus", Text(nullable: true)), ("trial", Text(nullable: true)),
        ("model", Nullable(Object(("name", Text()), ("version", Text()), ("trained", Scalar(JsonSchemaType.Boolean))))),
    ];

    private static (string, IOpenApiSchema)[] Filter() =>
    [
        ("scores", Array(Text())), ("fromS", Scalar(JsonSchemaType.Number | JsonSchemaType.Null)), ("toS", Scalar(JsonSchemaType.Number | JsonSchemaType.Null)),
    ];

    /// <summary>A window: position, span, the score columns, then its event (<see cref="EventColumns.Window"/>, null outside events).</summary>
    private static OpenApiSchema Window()
    {
        var schema = Values(("index", Scalar(JsonSchemaType.Integer)), ("start_s", Scalar(JsonSchemaType.Number)), ("end_s", Scalar(JsonSchemaType.Number)));
        foreach (var name in EventColumns.Window)
        {
            schema.Properties![name] = name switch
            {
                "event" => Scalar(JsonSchemaType.Integer | JsonSchemaType.Null),
                "t_rel_s" => Scalar(JsonSchemaType.Number | JsonSchemaType.Null),
                _ => Text(nullable: true),
            };
            schema.Required!.Add(name);
        }
        return schema;
    }

    /// <summary>With the feature provenance (<see cref="FeatureProperties"/>).</summary>
    private static OpenApiSchema Aggregate()
    {
        var schema = Values(("duration_s", Scalar(JsonSchemaType.Number)), ("window_count", Scalar(JsonSchemaType.Integer)));
        foreach (var (name, property) in FeatureProperties())
        {
            schema.Properties![name] = property;
            schema.Required!.Add(name);
        }
        return schema;
    }

    /// <summary>A timeline's <c>features</c>: the feature provenance of its result.</summary>
    private static OpenApiSchema Features() => Object(FeatureProperties());

    /// <summary>Which backbone made each branch's features (null: the branch did not score) and whether the cache supplied them.</summary>
    private static (string, IOpenApiSchema)[] FeatureProperties() =>
        [.. FeatureColumns.Names.Select((name, i) => (name, (IOpenApiSchema)Scalar((FeatureColumns.IsHash(i) ? JsonSchemaType.String : JsonSchemaType.Boolean) | JsonSchemaType.Null)))];

    /// <summary>The given properties, then every score column: selectable ones only when the 'emotions' filter keeps them.</summary>
    private static OpenApiSchema Values(params (string, IOpenApiSchema)[] fixedProperties)
    {
        var schema = Object(fixedProperties);
        foreach (var column in ScoreColumns.All)
        {
            schema.Properties![column.JsonName] = Scalar(column.IsFlag ? JsonSchemaType.Boolean : JsonSchemaType.Number | JsonSchemaType.Null);
            if (!column.IsSelectable)
            {
                schema.Required!.Add(column.JsonName);
            }
        }
        return schema;
    }

    private static OpenApiSchema Extend((string, IOpenApiSchema)[] properties, params (string, IOpenApiSchema)[] more)
    {
        (string, IOpenApiSchema)[] all = [.. properties, .. more];
        return Object(all);
    }

    private static OpenApiSchema Object(params (string Name, IOpenApiSchema Schema)[] properties) => new()
    {
        Type = JsonSchemaType.Object,
        Properties = properties.ToDictionary(p => p.Name, p => p.Schema),
        Required = properties.Select(p => p.Name).ToHashSet(),
    };

    private static OpenApiSchema Nullable(OpenApiSchema schema) => new() { OneOf = [new OpenApiSchema { Type = JsonSchemaType.Null }, schema] };

    private static OpenApiSchema Array(IOpenApiSchema items) => new() { Type = JsonSchemaType.Array, Items = items };

    private static OpenApiSchema Scalar(JsonSchemaType type) => new() { Type = type };

    private static OpenApiSchema Text(bool nullable = false) => new() { Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String };

    private static OpenApiSchema Uuid() => new() { Type = JsonSchemaType.String, Format = "uuid" };
}
