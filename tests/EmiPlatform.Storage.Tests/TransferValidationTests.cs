using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;

namespace EmiPlatform.Storage.Tests;

/// <summary>Every staged block carries a transactional checksum the service verifies, so bytes changed in transit are refused.</summary>
public class TransferValidationTests
{
    [Theory]
    [InlineData(600_000)] // staged blocks
    [InlineData(100_000)] // one Put Blob
    public async Task A_block_corrupted_after_its_checksum_was_computed_is_refused_and_nothing_is_committed(int size)
    {
        var clientOptions = BlobStore.CreateClientOptions();
        var corrupter = new CorruptOneBodyPolicy();
        clientOptions.AddPolicy(corrupter, HttpPipelinePosition.PerRetry);
        var options = AzuriteEnvironment.Options(AzuriteEnvironment.NewContainerName("corrupt"), blockSize: 256 * 1024, parallelism: 2);
        var store = new BlobStore(options, clientOptions);
        await store.EnsureContainerAsync();
        try
        {
            var error = await Assert.ThrowsAsync<RequestFailedException>(() =>
                store.UploadAsync("corrupt.bin", new MemoryStream(TestData.RandomBytes(size, seed: 1))));

            Assert.Equal(1, corrupter.Corrupted);
            Assert.Equal(400, error.Status);
            Assert.Equal("Md5Mismatch", error.ErrorCode);
            Assert.False(await store.Container.GetBlobClient("corrupt.bin").ExistsAsync());
        }
        finally
        {
            await store.DeleteContainerAsync();
        }
    }

    /// <summary>Flips one bit of the first upload body it sees (Put Block or Put Blob), after the SDK computed its checksum.</summary>
    private sealed class CorruptOneBodyPolicy : HttpPipelineSynchronousPolicy
    {
        private int _corrupted;

        public int Corrupted => _corrupted;

        public override void OnSendingRequest(HttpMessage message)
        {
            if (message.Request.Method != RequestMethod.Put || message.Request.Content is not { } content
                || message.Request.Uri.Query.Contains("comp=blocklist", StringComparison.Ordinal)
                || Interlocked.CompareExchange(ref _corrupted, 1, 0) != 0)
            {
                return;
            }

            using var copy = new MemoryStream();
            content.WriteTo(copy, CancellationToken.None);
            var bytes = copy.ToArray();
            bytes[bytes.Length / 2] ^= 0x01;
            message.Request.Content = RequestContent.Create(bytes);
        }
    }
}
