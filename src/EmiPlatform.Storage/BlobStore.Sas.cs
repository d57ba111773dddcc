using System.Globalization;
using System.Text;

namespace EmiPlatform.Storage;

public sealed partial class BlobStore
{
    // Tolerates clocks of the signer and the service that disagree by a few minutes.
    private static readonly TimeSpan SasClockSkew = TimeSpan.FromMinutes(5);

    public Uri GetSasUri(string blobName, BlobSasPermissions permissions, DateTimeOffset expiresOn)
    {
        ValidateBlobName(blobName);
        if (permissions == BlobSasPermissions.None)
        {
            throw new ArgumentException("A SAS needs at least one permission.", nameof(permissions));
        }

        var now = DateTimeOffset.UtcNow;
        if (expiresOn <= now)
        {
            throw new ArgumentOutOfRangeException(nameof(expiresOn), "A SAS must expire in the future.");
        }

        var signedPermissions = PermissionString(permissions);
        var signedStart = FormatSasTime(now - SasClockSkew);
        var signedExpiry = FormatSasTime(expiresOn);
        const string signedResource = "b";

        // Service SAS string-to-sign for versions 2020-12-06 and later (adds the encryption scope line).
        var stringToSign = string.Join('\n',
            signedPermissions,
            signedStart,
            signedExpiry,
            $"/blob/{_credential.AccountName}/{_options.Container}/{blobName}",
            "", // signed identifier (stored access policy)
            "", // signed IP
            "", // signed protocol
            ServiceVersion,
            signedResource,
            "", // snapshot time
            "", // encryption scope
            "", // rscc
            "", // rscd
            "", // rsce
            "", // rscl
            ""); // rsct
        var signature = _credential.ComputeSignature(stringToSign);

        var query = new StringBuilder();
        query.Append("sv=").Append(Uri.EscapeDataString(ServiceVersion));
        query.Append("&st=").Append(Uri.EscapeDataString(signedStart));
        query.Append("&se=").Append(Uri.EscapeDataString(signedExpiry));
        query.Append("&sr=").Append(signedResource);
        query.Append("&sp=").Append(signedPermissions);
        query.Append("&sig=").Append(Uri.EscapeDataString(signature));
        return new Uri(GetBlobUri(blobName).AbsoluteUri + "?" + query);
    }

    // The service requires this order: r a c w d.
    private static string PermissionString(BlobSasPermissions permissions)
    {
        var sb = new StringBuilder(5);
        if (permissions.HasFlag(BlobSasPermissions.Read)) sb.Append('r');
        if (permissions.HasFlag(BlobSasPermissions.Add)) sb.Append('a');
        if (permissions.HasFlag(BlobSasPermissions.Create)) sb.Append('c');
        if (permissions.HasFlag(BlobSasPermissions.Write)) sb.Append('w');
        if (permissions.HasFlag(BlobSasPermissions.Delete)) sb.Append('d');
        return sb.ToString();
    }

    private static string FormatSasTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
