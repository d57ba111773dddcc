using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;

namespace EmiPlatform.Storage.Tests;

/// <summary>
/// An Azurite of the test's own with OAuth on (HTTPS with a throw-away self-signed certificate, <c>--oauth basic</c>,
/// in memory, on a free port), so the token-credential path runs against a real blob service. The shared Azurite
/// (EMI_AZURITE) is plain HTTP with keys only. Uses the Azurite that infra/azurite.sh installs, or EMI_AZURITE_BIN.
/// </summary>
public sealed class OAuthAzurite : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emi-azurite-oauth-").FullName;
    private Process? _process;
    private string _thumbprint = "";

    public Uri ServiceUri { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var (certificate, key) = WriteSelfSignedCertificate();
        var port = FreePort.Next();
        ServiceUri = new Uri($"https://127.0.0.1:{port}/devstoreaccount1");
        var start = new ProcessStartInfo(FindAzurite())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--inMemoryPersistence", "--oauth", "basic", "--cert", certificate, "--key", key, "--silent",
        })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await AnswersAsync(port))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"The OAuth Azurite did not answer on {port}: {await _process.StandardError.ReadToEndAsync()}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Client options whose transport trusts exactly this instance's certificate.</summary>
    public BlobClientOptions ClientOptions()
    {
        var options = BlobStore.CreateClientOptions();
        options.Transport = new HttpClientTransport(CreateHttpClient());
        return options;
    }

    /// <summary>A plain HTTP client (a lab's uploader) that trusts this instance's certificate.</summary>
    public HttpClient CreateHttpClient() => new(new HttpClientHandler
    {
        ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == _thumbprint,
    });

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process?.Dispose();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private (string Certificate, string Key) WriteSelfSignedCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        _thumbprint = certificate.Thumbprint;
        var certificatePath = Path.Combine(_folder, "cert.pem");
        var keyPath = Path.Combine(_folder, "key.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, rsa.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    private static string FindAzurite()
    {
        if (Environment.GetEnvironmentVariable("EMI_AZURITE_BIN") is { Length: > 0 } configured)
        {
            return configured;
        }

        var bin = Path.Combine(RepoRoot.Path, ".local", "azurite", "node_modules", ".bin", "azurite-blob");
        return File.Exists(bin)
            ? bin
            : throw new InvalidOperationException($"No Azurite at {bin}: run `infra/azurite.sh start` once (it installs it) or set EMI_AZURITE_BIN.");
    }

    private static async Task<bool> AnswersAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
