using System.Net;
using Azure.Storage.Sas;

namespace EmiPlatform.Storage.Tests;

/// <summary>The store on a token credential (Storage:ServiceUri): bearer requests, and user-delegation SAS for downloads and direct uploads.</summary>
public sealed class TokenCredentialTests(OAuthAzurite azurite) : IClassFixture<OAuthAzurite>
{
    [Fact]
    public async Task A_store_on_a_token_credential_uploads_and_hands_out_user_delegation_sas()
    {
        var credential = new UnsignedEntraTokenCredential();
        var options = new BlobStorageOptions { ServiceUri = azurite.ServiceUri, Container = AzuriteEnvironment.NewContainerName("token"), BlockSizeBytes = 256 * 1024 };
        var store = new BlobStore(options, azurite.ClientOptions(), credential);
        using var http = azurite.CreateHttpClient();
        await store.EnsureContainerAsync();
        try
        {
            var payload = TestData.RandomBytes(700_000, seed: 1);
            var uploaded = await store.UploadAsync("a/recording.bin", new MemoryStream(payload));
            Assert.Equal((3, TestData.Sha256Hex(payload)), (uploaded.BlockCount, uploaded.Sha256));
            Assert.True(credential.Requests > 0);

            var read = await store.GetSasUriAsync("a/recording.bin", BlobSasPermissions.Read, TimeSpan.FromMinutes(5));
            // A user-delegation SAS names the identity whose key signed it; no account key exists on this path.
            Assert.Contains($"skoid={credential.ObjectId}", read.Query, StringComparison.Ordinal);
            Assert.Equal(payload, await http.GetByteArrayAsync(read));

            var write = await store.GetSasUriAsync("a/direct.bin.upload", BlobSasPermissions.Create | BlobSasPermissions.Write, TimeSpan.FromMinutes(5));
            using var put = new HttpRequestMessage(HttpMethod.Put, write) { Content = new ByteArrayContent([1, 2, 3]) };
            put.Headers.Add("x-ms-blob-type", "BlockBlob");
            Assert.Equal(HttpStatusCode.Created, (await http.SendAsync(put)).StatusCode);
            using var get = await http.GetAsync(write);
            Assert.Equal(HttpStatusCode.Forbidden, get.StatusCode);
            var forged = new Uri(read.AbsoluteUri.Replace("/a/recording.bin?", "/a/direct.bin.upload?", StringComparison.Ordinal));
            using var other = await http.GetAsync(forged);
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);

            using var copy = new MemoryStream();
            var hashed = await store.DownloadAndHashAsync("a/direct.bin.upload", copy);
            Assert.Equal(TestData.Sha256Hex([1, 2, 3]), hashed.Sha256);
            Assert.Equal(2, await store.DeletePrefixAsync("a/"));
        }
        finally
        {
            await store.DeleteContainerAsync();
        }
    }
}
