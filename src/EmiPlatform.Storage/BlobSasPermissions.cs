namespace EmiPlatform.Storage;

/// <summary>Permissions a service SAS grants on one blob.</summary>
[Flags]
public enum BlobSasPermissions
{
    None = 0,
    Read = 1,
    Add = 2,
    Create = 4,
    Write = 8,
    Delete = 16,

    /// <summary>Enough to upload a new blob with Put Blob or Put Block + Put Block List.</summary>
    Upload = Create | Write,
}
