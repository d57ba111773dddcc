namespace EmiPlatform.Api.Progress;

/// <summary>Configuration section <c>Progress</c>: the study event stream's timing.</summary>
public sealed class ProgressOptions
{
    public const string Section = "Progress";

    /// <summary>
    /// After this long without an event the stream resubscribes, catches up, checks that its key and tenant may still
    /// read, and sends a heartbeat (which also keeps proxies from closing an idle stream).
    /// </summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);
}
