using System.Text.Json;

namespace EmiPlatform.Cli.Watch;

/// <summary>The counters every study event carries (the API's StudyProgressDto, read field by field).</summary>
internal sealed record RunCounters(
    Guid? RunId, int Queued, int Running, int Succeeded, int Failed, int Cancelled,
    double SecondsDone, double SecondsTotal, double? EtaSeconds, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt)
{
    public static readonly RunCounters None = new(null, 0, 0, 0, 0, 0, 0, 0, null, null, null);

    public int Total => Queued + Running + Succeeded + Failed + Cancelled;

    /// <summary>The run ended: the grain said so, and nothing is left to score.</summary>
    public bool IsComplete => CompletedAt is not null && Queued + Running == 0;

    public static RunCounters From(JsonElement p) => new(
        Nullable(p, "runId", e => e.GetGuid()),
        p.GetProperty("queued").GetInt32(), p.GetProperty("running").GetInt32(), p.GetProperty("succeeded").GetInt32(),
        p.GetProperty("failed").GetInt32(), p.GetProperty("cancelled").GetInt32(),
        p.GetProperty("recordingSecondsDone").GetDouble(), p.GetProperty("recordingSecondsTotal").GetDouble(),
        Nullable(p, "etaSeconds", e => e.GetDouble()),
        Nullable(p, "startedAt", e => e.GetDateTimeOffset()), Nullable(p, "completedAt", e => e.GetDateTimeOffset()));

    private static T? Nullable<T>(JsonElement element, string name, Func<JsonElement, T> read)
        where T : struct =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? read(value) : null;
}
