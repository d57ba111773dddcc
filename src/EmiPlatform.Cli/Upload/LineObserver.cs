namespace EmiPlatform.Cli.Upload;

/// <summary>Without a terminal: one line per finished file on stderr (stdout stays for the summary or the JSON).</summary>
internal sealed class LineObserver(TextWriter error) : IUploadObserver
{
    public void Started(UploadItem item) { }

    public void Sent(UploadItem item, long bytes) { }

    public void Finished(UploadItem item, UploadOutcome outcome)
    {
        var line = $"emi: {outcome.Status.ToString().ToLowerInvariant()} {item.DisplayName}"
            + (outcome.Participant is { } p ? $" ({p})" : "")
            + (outcome.Error is { } e ? $": {e}" : "");
        lock (error)
        {
            error.WriteLine(line);
        }
    }
}
