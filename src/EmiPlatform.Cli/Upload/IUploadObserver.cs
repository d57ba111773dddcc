namespace EmiPlatform.Cli.Upload;

/// <summary>Progress of a batch upload: progress bars on a terminal, a line per file otherwise.</summary>
internal interface IUploadObserver
{
    void Started(UploadItem item);

    void Sent(UploadItem item, long bytes);

    void Finished(UploadItem item, UploadOutcome outcome);
}
