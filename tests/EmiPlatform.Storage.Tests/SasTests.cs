using System.Net;
using System.Net.Http.Headers;

namespace EmiPlatform.Storage.Tests;

public sealed class SasTests : IDisposable
{
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Write_sas_upload_then_read_sas_download_with_a_plain_http_client()
    {
        await using var container = await TestContainer.CreateAsync("sas");
        var payload = TestData.RandomBytes(300_000, seed: 1);
        var writeUri = container.Store.GetSasUri("direct/upload.bin", BlobSasPermissions.Upload, DateTimeOffset.UtcNow.AddMinutes(10));

        using var put = new HttpRequestMessage(HttpMethod.Put, writeUri) { Content = new ByteArrayContent(payload) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var putResponse = await _http.SendAsync(put);
        Assert.Equal(HttpStatusCode.Created, putResponse.StatusCode);

        // The platform's "complete" step: the blob is committed with the announced size.
        var properties = await container.Store.GetPropertiesAsync("direct/upload.bin");
        Assert.NotNull(properties);
        Assert.Equal(payload.Length, properties.Length);

        var readUri = container.Store.GetSasUri("direct/upload.bin", BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddMinutes(10));
        Assert.Equal(payload, await _http.GetByteArrayAsync(readUri));
    }

    [Fact]
    public async Task Read_sas_cannot_write_and_write_sas_cannot_read()
    {
        await using var container = await TestContainer.CreateAsync("sasperm");
        await container.Store.UploadAsync("x.bin", new MemoryStream([1, 2, 3]));
        var readUri = container.Store.GetSasUri("x.bin", BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddMinutes(10));
        var writeUri = container.Store.GetSasUri("x.bin", BlobSasPermissions.Upload, DateTimeOffset.UtcNow.AddMinutes(10));

        using var put = new HttpRequestMessage(HttpMethod.Put, readUri) { Content = new ByteArrayContent([9]) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        using var putResponse = await _http.SendAsync(put);
        using var getResponse = await _http.GetAsync(writeUri);

        Assert.Equal(HttpStatusCode.Forbidden, putResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, getResponse.StatusCode);
        Assert.Equal(3, (await container.Store.GetPropertiesAsync("x.bin"))!.Length);
    }

    [Fact]
    public async Task Sas_for_one_blob_does_not_open_another()
    {
        await using var container = await TestContainer.CreateAsync("sasscope");
        await container.Store.UploadAsync("mine.bin", new MemoryStream([1]));
        await container.Store.UploadAsync("theirs.bin", new MemoryStream([2]));
        var mine = container.Store.GetSasUri("mine.bin", BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddMinutes(10));

        var forged = new Uri(mine.AbsoluteUri.Replace("/mine.bin?", "/theirs.bin?", StringComparison.Ordinal));
        using var response = await _http.GetAsync(forged);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Expired_sas_is_refused()
    {
        await using var container = await TestContainer.CreateAsync("sasexpiry");
        await container.Store.UploadAsync("x.bin", new MemoryStream([1]));
        var uri = container.Store.GetSasUri("x.bin", BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddSeconds(2));
        using (var fresh = await _http.GetAsync(uri))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }

        await Task.Delay(TimeSpan.FromSeconds(3.5));
        using var expired = await _http.GetAsync(uri);

        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
    }
}
