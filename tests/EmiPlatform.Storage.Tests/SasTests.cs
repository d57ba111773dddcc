using System.Net;
using System.Net.Http.Headers;
using Azure.Storage.Sas;

namespace EmiPlatform.Storage.Tests;

public sealed class SasTests : IDisposable
{
    private const BlobSasPermissions Upload = BlobSasPermissions.Create | BlobSasPermissions.Write;
    private static readonly TimeSpan TenMinutes = TimeSpan.FromMinutes(10);
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Write_sas_upload_then_read_sas_download_with_a_plain_http_client()
    {
        await using var container = await TestContainer.CreateAsync("sas");
        var payload = TestData.RandomBytes(300_000, seed: 1);
        var writeUri = await container.Store.GetSasUriAsync("direct/upload.bin", Upload, TenMinutes);

        using var put = new HttpRequestMessage(HttpMethod.Put, writeUri) { Content = new ByteArrayContent(payload) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var putResponse = await _http.SendAsync(put);
        Assert.Equal(HttpStatusCode.Created, putResponse.StatusCode);

        var readUri = await container.Store.GetSasUriAsync("direct/upload.bin", BlobSasPermissions.Read, TenMinutes);
        Assert.Equal(payload, await _http.GetByteArrayAsync(readUri));
        // Written through a SAS, not through the store: no SHA-256 metadata, so the platform has to hash it itself.
        Assert.Null(BlobStore.Sha256Of((await container.Blob("direct/upload.bin").GetPropertiesAsync()).Value.Metadata));
    }

    [Fact]
    public async Task Read_sas_cannot_write_and_write_sas_cannot_read()
    {
        await using var container = await TestContainer.CreateAsync("sasperm");
        await container.Store.UploadAsync("x.bin", new MemoryStream([1, 2, 3]));
        var readUri = await container.Store.GetSasUriAsync("x.bin", BlobSasPermissions.Read, TenMinutes);
        var writeUri = await container.Store.GetSasUriAsync("x.bin", Upload, TenMinutes);

        using var put = new HttpRequestMessage(HttpMethod.Put, readUri) { Content = new ByteArrayContent([9]) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        using var putResponse = await _http.SendAsync(put);
        using var getResponse = await _http.GetAsync(writeUri);

        Assert.Equal(HttpStatusCode.Forbidden, putResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, getResponse.StatusCode);
        Assert.Equal([1, 2, 3], await container.ReadAsync("x.bin"));
    }

    [Fact]
    public async Task Sas_for_one_blob_does_not_open_another()
    {
        await using var container = await TestContainer.CreateAsync("sasscope");
        await container.Store.UploadAsync("mine.bin", new MemoryStream([1]));
        await container.Store.UploadAsync("theirs.bin", new MemoryStream([2]));
        var mine = await container.Store.GetSasUriAsync("mine.bin", BlobSasPermissions.Read, TenMinutes);

        var forged = new Uri(mine.AbsoluteUri.Replace("/mine.bin?", "/theirs.bin?", StringComparison.Ordinal));
        using var response = await _http.GetAsync(forged);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Sas_expires_after_its_lifetime()
    {
        await using var container = await TestContainer.CreateAsync("sasexpiry");
        await container.Store.UploadAsync("x.bin", new MemoryStream([1]));
        var uri = await container.Store.GetSasUriAsync("x.bin", BlobSasPermissions.Read, TimeSpan.FromSeconds(2));
        using (var fresh = await _http.GetAsync(uri))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }

        await Task.Delay(TimeSpan.FromSeconds(3.5));
        using var expired = await _http.GetAsync(uri);

        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
    }
}
