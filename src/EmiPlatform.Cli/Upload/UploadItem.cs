namespace EmiPlatform.Cli.Upload;

/// <summary>One file to upload, and for whom. <see cref="Error"/> is set when the file cannot be attributed.</summary>
internal sealed record UploadItem(string Path, string DisplayName, long Length, string? Participant, string? Stimulus, string? Trial, string? Error);
