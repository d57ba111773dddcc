namespace EmiPlatform.Storage;

/// <summary>
/// The source stream ran past <see cref="BlobUploadOptions.MaxLength"/>. Thrown before Put Block List, so nothing
/// was committed; the staged blocks are discarded by the service (Azure: after 7 days).
/// </summary>
public sealed class BlobContentTooLargeException(long maxLength)
    : Exception($"The content is larger than the allowed {maxLength} bytes; nothing was committed.")
{
    public long MaxLength { get; } = maxLength;
}
