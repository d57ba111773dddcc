using System.Text.Json;
using EmiPlatform.Cli.Output;

namespace EmiPlatform.Cli.Watch;

/// <summary>A job of the watched run as its last event described it.</summary>
internal sealed record WatchedJob(Guid Id, Guid RecordingId, string State, double Progress, int Attempts, string? Error)
{
    public bool IsFinal => State is "succeeded" or "failed" or "cancelled";

    public static WatchedJob From(JsonElement job) => new(
        job.GetProperty("id").GetGuid(), job.GetProperty("recordingId").GetGuid(), job.GetProperty("state").GetString()!,
        job.GetProperty("progress").GetDouble(), job.GetProperty("attempts").GetInt32(), JsonText.Get(job, "error") is { Length: > 0 } e ? e : null);
}
