namespace EmiPlatform.Cli.Upload;

internal enum UploadStatus
{
    /// <summary>Sent; the API created a recording (201).</summary>
    Uploaded,

    /// <summary>Sent; the API already had identical bytes for this participant (200).</summary>
    Exists,

    /// <summary>Not sent: a recording with the same SHA-256 is already listed under the participant (resume).</summary>
    Skipped,

    /// <summary>Refused by the API, unreadable, or not attributable to a participant.</summary>
    Failed,
}
