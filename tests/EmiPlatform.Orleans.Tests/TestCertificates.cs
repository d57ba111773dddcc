using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EmiPlatform.Orleans.Tests;

/// <summary>Self-signed certificates made in the test, written as an operator would hand them to a host: a .pfx file.</summary>
public static class TestCertificates
{
    public const string Password = "cluster-secret";

    public static X509Certificate2 SelfSigned(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>Writes <paramref name="certificate"/> (with its key when it has one) to a temporary .pfx file.</summary>
    public static string Pfx(X509Certificate2 certificate, string? password = Password)
    {
        var path = Path.Combine(Path.GetTempPath(), $"emi-cluster-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return path;
    }
}
