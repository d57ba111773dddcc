namespace EmiPlatform.Abstractions.Jobs;

/// <summary>The database and wire names of <see cref="JobState"/>, and which states are final.</summary>
public static class JobStates
{
    public static readonly string Queued = Name(JobState.Queued);
    public static readonly string Running = Name(JobState.Running);
    public static readonly string Succeeded = Name(JobState.Succeeded);
    public static readonly string Failed = Name(JobState.Failed);
    public static readonly string Cancelled = Name(JobState.Cancelled);

    public static string Name(this JobState state) => state.ToString().ToLowerInvariant();

    public static JobState Parse(string name) =>
        EnumNames.TryParse<JobState>(name, out var state)
            ? state
            : throw new FormatException($"'{name}' is not a job state.");

    public static bool IsFinal(this JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;
}
