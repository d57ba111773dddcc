using Azure;

namespace EmiPlatform.Storage;

/// <summary>The storage service answered with an error. <see cref="RequestFailedException.ErrorCode"/> holds its x-ms-error-code.</summary>
public class BlobStorageException : RequestFailedException
{
    public BlobStorageException(int status, string message, string? errorCode, Exception? innerException = null)
        : base(status, message, errorCode, innerException)
    {
    }
}
