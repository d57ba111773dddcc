namespace EmiPlatform.Data.Entities;

/// <summary>queued → running → succeeded | failed | cancelled; a running job whose worker died goes back to queued.</summary>
public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}
