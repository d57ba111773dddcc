namespace EmiPlatform.Storage;

/// <summary>The blob (or its container) does not exist.</summary>
public sealed class BlobNotFoundException : BlobStorageException
{
    public BlobNotFoundException(int status, string message, string? errorCode, Exception? innerException = null)
        : base(status, message, errorCode, innerException)
    {
    }
}
