namespace EmiPlatform.Abstractions.Jobs;

/// <summary>
/// queued → running → succeeded | failed | cancelled; a running job whose worker died, or whose attempt failed with
/// attempts left, goes back to queued. The one definition of the states: the database's text values are these
/// names in lower case (<see cref="JobStates"/>).
/// </summary>
public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}
