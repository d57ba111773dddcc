using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using SdkUploadOptions = Azure.Storage.Blobs.Models.BlobUploadOptions;

namespace EmiPlatform.Storage;

public sealed partial class BlobStore
{
    // Azure's limit of committed blocks per blob.
    private const int MaxBlockCount = 50_000;

    /// <remarks>
    /// Our own staging over StageBlock / CommitBlockList rather than the SDK's UploadAsync: the SHA-256 has to be
    /// computed over the bytes as they stream past, the upload must stop (and commit nothing) at MaxLength, and a
    /// forward-only request body cannot be rewound, so every block stays in its pooled buffer until its last retry.
    /// </remarks>
    public async Task<BlobUploadResult> UploadAsync(
        string blobName, Stream content, BlobUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(blobName);
        ArgumentNullException.ThrowIfNull(content);
        options ??= new BlobUploadOptions();
        var blockSize = options.BlockSizeBytes ?? _options.BlockSizeBytes;
        var parallelism = options.Parallelism ?? _options.Parallelism;
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, BlobStorageOptions.MinBlockSizeBytes, "options.BlockSizeBytes");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blockSize, BlobStorageOptions.MaxBlockSizeBytes, "options.BlockSizeBytes");
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1, "options.Parallelism");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(parallelism, BlobStorageOptions.MaxParallelism, "options.Parallelism");

        var blob = Container.GetBlockBlobClient(blobName);
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // One slot per pooled buffer: the reader takes a slot before filling a buffer, the block's upload gives it back.
        // That is what bounds memory to blockSize × parallelism however long the stream is.
        using var slots = new SemaphoreSlim(parallelism, parallelism);
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = new List<Task>();
        var blockIds = new List<string>();
        var uploadId = Guid.NewGuid();
        long length = 0;

        try
        {
            while (true)
            {
                await slots.WaitAsync(abort.Token);
                var buffer = ArrayPool<byte>.Shared.Rent(blockSize);
                int read;
                try
                {
                    read = await ReadBlockAsync(content, buffer.AsMemory(0, blockSize), abort.Token);
                    length += read;
                    if (options.MaxLength is { } max && length > max)
                    {
                        throw new BlobContentTooLargeException(max);
                    }

                    sha256.AppendData(buffer, 0, read);
                }
                catch
                {
                    ReturnSlot(buffer, slots);
                    throw;
                }

                if (blockIds.Count == 0 && read < blockSize)
                {
                    // The whole content fits one block: one Put Blob instead of Put Block + Put Block List.
                    try
                    {
                        var hash = Convert.ToHexStringLower(sha256.GetHashAndReset());
                        var eTag = await PutSingleAsync(blob, buffer, read, blockSize, hash, options, abort.Token);
                        return new BlobUploadResult(blobName, length, hash, eTag, read == 0 ? 0 : 1);
                    }
                    finally
                    {
                        ReturnSlot(buffer, slots);
                    }
                }

                if (read == 0)
                {
                    ReturnSlot(buffer, slots);
                    break;
                }

                if (blockIds.Count == MaxBlockCount)
                {
                    ReturnSlot(buffer, slots);
                    throw new InvalidOperationException(
                        $"The content needs more than {MaxBlockCount} blocks of {blockSize} bytes; use a larger block size.");
                }

                var blockId = CreateBlockId(uploadId, blockIds.Count);
                blockIds.Add(blockId);
                pending.Add(StageBlockAsync(blob, blockId, buffer, read, slots, abort.Token));
                await ThrowIfAnyBlockFailedAsync(pending);

                if (read < blockSize)
                {
                    break; // ReadBlockAsync only returns a short block at the end of the stream.
                }
            }

            await Task.WhenAll(pending);
            var sha = Convert.ToHexStringLower(sha256.GetHashAndReset());
            var committed = await blob.CommitBlockListAsync(blockIds, new CommitBlockListOptions
            {
                HttpHeaders = Headers(options),
                Metadata = Metadata(options, sha),
                Conditions = Conditions(options),
            }, abort.Token);
            return new BlobUploadResult(blobName, length, sha, committed.Value.ETag, blockIds.Count);
        }
        catch
        {
            // Stop the other blocks and wait for them, so no buffer is still in use when the caller moves on.
            await abort.CancelAsync();
            await WhenAllIgnoringFailuresAsync(pending);
            throw;
        }
    }

    /// <summary>
    /// The transactional checksum the SDK computes for every block and the service verifies before it keeps the block.
    /// MD5 rather than CRC64: the SDK sends a CRC64 inside a structured message body, which Azurite 3.37 does not
    /// acknowledge (the SDK then fails the block), and Azurite checks an MD5 natively where a CRC64 costs it a JavaScript pass.
    /// </summary>
    private static readonly UploadTransferValidationOptions BlockValidation = new() { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 };

    private async Task<ETag> PutSingleAsync(
        BlockBlobClient blob, byte[] buffer, int count, int blockSize, string sha256, BlobUploadOptions options, CancellationToken cancellationToken)
    {
        using var data = new MemoryStream(buffer, 0, count, writable: false);
        var response = await blob.UploadAsync(data, new SdkUploadOptions
        {
            HttpHeaders = Headers(options),
            Metadata = Metadata(options, sha256),
            Conditions = Conditions(options),
            TransferValidation = BlockValidation,
            // One Put Blob: the content is already known to fit one block.
            TransferOptions = new StorageTransferOptions { InitialTransferSize = blockSize, MaximumTransferSize = blockSize },
        }, cancellationToken);
        return response.Value.ETag;
    }

    private async Task StageBlockAsync(
        BlockBlobClient blob, string blockId, byte[] buffer, int count, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        try
        {
            // Checksum and send on a pool thread; the caller goes straight back to reading the next block.
            await Task.Yield();
            // Wraps the pooled buffer without copying; the SDK rewinds it for a retry, so it goes back to the pool only
            // after the last try.
            using var data = new MemoryStream(buffer, 0, count, writable: false);
            await blob.StageBlockAsync(blockId, data, new BlockBlobStageBlockOptions { TransferValidation = BlockValidation }, cancellationToken);
        }
        finally
        {
            ReturnSlot(buffer, slots);
        }
    }

    private static BlobHttpHeaders? Headers(BlobUploadOptions options) =>
        options.ContentType is null ? null : new BlobHttpHeaders { ContentType = options.ContentType };

    private static Dictionary<string, string> Metadata(BlobUploadOptions options, string sha256)
    {
        var metadata = options.Metadata is null
            ? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, string>(options.Metadata, StringComparer.OrdinalIgnoreCase);
        metadata[Sha256MetadataName] = sha256;
        return metadata;
    }

    private static BlobRequestConditions? Conditions(BlobUploadOptions options) =>
        options.Overwrite ? null : new BlobRequestConditions { IfNoneMatch = ETag.All };

    // Block ids must have the same length within a blob; a per-upload random prefix keeps two uploads racing
    // for the same name from committing each other's blocks.
    private static string CreateBlockId(Guid uploadId, int index)
    {
        Span<byte> raw = stackalloc byte[20];
        uploadId.TryWriteBytes(raw);
        BinaryPrimitives.WriteInt32BigEndian(raw[16..], index);
        return Convert.ToBase64String(raw);
    }

    private static async ValueTask<int> ReadBlockAsync(Stream content, Memory<byte> block, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < block.Length)
        {
            var n = await content.ReadAsync(block[filled..], cancellationToken);
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        return filled;
    }

    private static async Task ThrowIfAnyBlockFailedAsync(List<Task> pending)
    {
        pending.RemoveAll(t => t.IsCompletedSuccessfully);
        foreach (var task in pending)
        {
            if (task.IsFaulted || task.IsCanceled)
            {
                await task; // rethrows the block's own exception
            }
        }
    }

    private static async Task WhenAllIgnoringFailuresAsync(List<Task> pending)
    {
        try
        {
            await Task.WhenAll(pending);
        }
        catch (Exception)
        {
            // The exception being rethrown by the caller is the one that explains the failure; these follow from it.
            return;
        }
    }

    private static void ReturnSlot(byte[] buffer, SemaphoreSlim slots)
    {
        ArrayPool<byte>.Shared.Return(buffer);
        slots.Release();
    }
}
