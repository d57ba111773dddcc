namespace EmiPlatform.Storage;

/// <summary>The storage account rejected the signature: wrong AccountKey / AccountName, clock skew, or an invalid SAS.</summary>
public sealed class BlobAuthenticationException : BlobStorageException
{
    public BlobAuthenticationException(int status, string message, string? errorCode, Exception? innerException = null)
        : base(status, message, errorCode, innerException)
    {
    }
}
