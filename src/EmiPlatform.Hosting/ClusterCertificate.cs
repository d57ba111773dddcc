using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;
using Orleans.Hosting;

namespace EmiPlatform.Hosting;

/// <summary>
/// Mutual TLS on the silo and gateway ports with one cluster certificate: each side presents it and accepts only a
/// peer presenting that same certificate (pinned by its SHA-256 hash), so a self-signed certificate needs no trust
/// store, and a certificate from a public CA admits no one else that CA has signed.
/// </summary>
public static class ClusterCertificate
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>Loads the cluster certificate, refusing what would only fail later, at the first handshake.</summary>
    public static X509Certificate2 Load(string path, string? password)
    {
        const string Key = $"{EmiClusterOptions.Section}:Tls:CertificatePath";
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{Key} '{path}' does not exist.");
        }
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, string.IsNullOrEmpty(password) ? null : password);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException($"{Key} '{path}' cannot be read as PKCS#12 (.pfx) with {EmiClusterOptions.Section}:Tls:CertificatePassword: {ex.Message}", ex);
        }
        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"{Key} '{path}' holds no private key: every member presents the cluster certificate, so the file must carry its key.");
        }
        if (certificate.NotAfter < DateTime.Now || certificate.NotBefore > DateTime.Now)
        {
            throw new InvalidOperationException($"{Key} '{path}' is valid from {certificate.NotBefore:u} to {certificate.NotAfter:u}, not now.");
        }
        // Each member is a TLS server to some peers and a client to others, and Orleans requires serverAuth of a server
        // certificate and clientAuth of a client one wherever the certificate restricts its usage.
        if (certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } usage
            && !(usage.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == ServerAuthentication) && usage.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == ClientAuthentication)))
        {
            throw new InvalidOperationException($"{Key} '{path}' has an extended key usage without both serverAuth and clientAuth: every member is a TLS server and a client.");
        }
        return certificate;
    }

    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, X509Certificate2 certificate) =>
        silo.UseTls(certificate, tls => Mutual(tls, certificate));

    public static IClientBuilder UseClusterTls(this IClientBuilder client, X509Certificate2 certificate) =>
        client.UseTls(certificate, tls => Mutual(tls, certificate));

    private static void Mutual(TlsOptions tls, X509Certificate2 certificate)
    {
        // Orleans only asks a gateway's clients for a certificate by default; the cluster demands one of every peer.
        tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        var pin = certificate.GetCertHash(HashAlgorithmName.SHA256);
        // The pin replaces chain and name checks: a self-signed certificate has no chain, and members are reached by
        // address, not by a name the certificate could carry.
        tls.RemoteCertificateValidation = (remote, _, _) =>
            remote is not null && CryptographicOperations.FixedTimeEquals(remote.GetCertHash(HashAlgorithmName.SHA256), pin);
    }
}
