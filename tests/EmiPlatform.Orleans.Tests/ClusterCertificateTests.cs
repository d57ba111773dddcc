using System.Security.Cryptography.X509Certificates;
using EmiPlatform.Hosting;

namespace EmiPlatform.Orleans.Tests;

/// <summary>A cluster certificate that could never complete a handshake stops the host at start, saying why.</summary>
public sealed class ClusterCertificateTests
{
    [Fact]
    public void A_pfx_with_its_key_and_password_loads()
    {
        using var made = TestCertificates.SelfSigned("emi-cluster");
        var path = TestCertificates.Pfx(made);
        try
        {
            using var loaded = ClusterCertificate.Load(path, TestCertificates.Password);
            Assert.True(loaded.HasPrivateKey);
            Assert.Equal(made.Thumbprint, loaded.Thumbprint);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ClusterCertificate.Load("/nonexistent/cluster.pfx", null));
        Assert.Contains("Orleans:Tls:CertificatePath '/nonexistent/cluster.pfx' does not exist", error.Message);
    }

    [Fact]
    public void A_wrong_password_is_refused()
    {
        using var made = TestCertificates.SelfSigned("emi-cluster");
        var path = TestCertificates.Pfx(made);
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => ClusterCertificate.Load(path, "not-the-password"));
            Assert.Contains("cannot be read as PKCS#12", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_certificate_without_its_private_key_is_refused()
    {
        using var made = TestCertificates.SelfSigned("emi-cluster");
        using var publicOnly = X509CertificateLoader.LoadCertificate(made.Export(X509ContentType.Cert));
        var path = TestCertificates.Pfx(publicOnly);
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => ClusterCertificate.Load(path, TestCertificates.Password));
            Assert.Contains("holds no private key", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
