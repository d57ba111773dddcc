using System.Text.Json;
using EmiPlatform.Cli.Output;

namespace EmiPlatform.Cli.Watch;

/// <summary>A job of the watched run as its last event described it, named by its participant's code and its file.</summary>
internal sealed record WatchedJob(Guid Id, Guid RecordingId, string FileName, string ParticipantCode, string State, double Progress, int Attempts, string? Error)
{
    /// <summary>How a person names the job: participant / file name.</summary>
    public string Name => $"{ParticipantCode}/{FileName}";

    public bool IsFinal => State is "succeeded" or "failed" or "cancelled";

    public static WatchedJob From(JsonElement job) => new(
        job.GetProperty("id").GetGuid(), job.GetProperty("recordingId").GetGuid(),
        JsonText.Get(job, "fileName") ?? "", JsonText.Get(job, "participantCode") ?? "", job.GetProperty("state").GetString()!,
        job.GetProperty("progress").GetDouble(), job.GetProperty("attempts").GetInt32(), JsonText.Get(job, "error") is { Length: > 0 } e ? e : null);
}
