namespace EmiPlatform.Hosting;

/// <summary>
/// Configuration section <c>Orleans:Tls</c>: the cluster certificate every member (silo and API host alike) presents
/// and accepts. Unset: the silo and gateway ports speak plain Orleans (docs/operations.md, Network boundary).
/// </summary>
public sealed class ClusterTlsOptions
{
    /// <summary>A PKCS#12 file (.pfx) holding the cluster certificate and its private key.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The password of <see cref="CertificatePath"/>; empty for a file without one.</summary>
    public string? CertificatePassword { get; set; }
}
