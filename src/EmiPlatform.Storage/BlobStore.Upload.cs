using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Core;

namespace EmiPlatform.Storage;

public sealed partial class BlobStore
{
    // Azure's limit of committed blocks per blob.
    private const int MaxBlockCount = 50_000;

    public async Task<BlobUploadResult> UploadAsync(
        string blobName, Stream content, BlobUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ValidateBlobName(blobName);
        ArgumentNullException.ThrowIfNull(content);
        options ??= new BlobUploadOptions();
        var blockSize = options.BlockSizeBytes ?? _options.BlockSizeBytes;
        var parallelism = options.Parallelism ?? _options.Parallelism;
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, BlobStorageOptions.MinBlockSizeBytes, "options.BlockSizeBytes");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blockSize, BlobStorageOptions.MaxBlockSizeBytes, "options.BlockSizeBytes");
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1, "options.Parallelism");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(parallelism, BlobStorageOptions.MaxParallelism, "options.Parallelism");

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
                        var eTag = await PutSingleAsync(blobName, buffer.AsMemory(0, read), hash, options, abort.Token);
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
                pending.Add(StageBlockAsync(blobName, blockId, buffer, read, options.TransactionalMd5, slots, abort.Token));
                await ThrowIfAnyBlockFailedAsync(pending);

                if (read < blockSize)
                {
                    break; // ReadBlockAsync only returns a short block at the end of the stream.
                }
            }

            await Task.WhenAll(pending);
            var sha = Convert.ToHexStringLower(sha256.GetHashAndReset());
            var committedETag = await PutBlockListAsync(blobName, blockIds, sha, options, abort.Token);
            return new BlobUploadResult(blobName, length, sha, committedETag, blockIds.Count);
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
    /// One Put Blob of a whole stream (no staging, no hashing): the direct-upload baseline the benchmarks compare against.
    /// The stream should be seekable so a failed try can be retried.
    /// </summary>
    public async Task<string> PutBlobAsync(string blobName, Stream content, string? contentType = null, CancellationToken cancellationToken = default)
    {
        ValidateBlobName(blobName);
        ArgumentNullException.ThrowIfNull(content);
        using var message = CreateMessage(RequestMethod.Put, blobName);
        message.Request.Headers.SetValue("x-ms-blob-type", "BlockBlob");
        if (contentType is not null)
        {
            message.Request.Headers.SetValue("x-ms-blob-content-type", contentType);
        }

        message.Request.Content = RequestContent.Create(content);
        if (content.CanSeek)
        {
            // The network timeout covers sending the body; give a large body time at a pessimistic 1 MiB/s.
            var seconds = (content.Length - content.Position) / (1024.0 * 1024.0);
            message.NetworkTimeout = _options.NetworkTimeout + TimeSpan.FromSeconds(seconds);
        }
        else
        {
            message.NetworkTimeout = Timeout.InfiniteTimeSpan;
        }

        var response = await SendAsync(message, cancellationToken);
        if (response.Status != 201)
        {
            throw CreateException(message, "put blob");
        }

        return ETagOf(response);
    }

    private async Task<string> PutSingleAsync(
        string blobName, ReadOnlyMemory<byte> data, string sha256, BlobUploadOptions options, CancellationToken cancellationToken)
    {
        using var message = CreateMessage(RequestMethod.Put, blobName);
        var headers = message.Request.Headers;
        headers.SetValue("x-ms-blob-type", "BlockBlob");
        SetCommitHeaders(message, sha256, options);
        if (options.TransactionalMd5)
        {
            headers.SetValue("Content-MD5", ComputeMd5(data.Span));
        }

        message.Request.Content = RequestContent.Create(data);
        var response = await SendAsync(message, cancellationToken);
        if (response.Status != 201)
        {
            throw CreateException(message, "put blob");
        }

        return ETagOf(response);
    }

    private async Task StageBlockAsync(
        string blobName, string blockId, byte[] buffer, int count, bool md5, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        try
        {
            // Hash and send on a pool thread; the caller goes straight back to reading the next block.
            await Task.Yield();
            using var message = CreateMessage(RequestMethod.Put, blobName, ("comp", "block"), ("blockid", blockId));
            if (md5)
            {
                message.Request.Headers.SetValue("Content-MD5", ComputeMd5(buffer.AsSpan(0, count)));
            }

            // Wraps the pooled buffer without copying; retries resend it, so it goes back to the pool only after the last try.
            message.Request.Content = RequestContent.Create(buffer.AsMemory(0, count));
            var response = await SendAsync(message, cancellationToken);
            if (response.Status != 201)
            {
                throw CreateException(message, "put block");
            }
        }
        finally
        {
            ReturnSlot(buffer, slots);
        }
    }

    private async Task<string> PutBlockListAsync(
        string blobName, List<string> blockIds, string sha256, BlobUploadOptions options, CancellationToken cancellationToken)
    {
        var xml = new StringBuilder(64 + (blockIds.Count * 48));
        xml.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        foreach (var id in blockIds)
        {
            // Block ids are base64: nothing to escape in XML.
            xml.Append("<Latest>").Append(id).Append("</Latest>");
        }

        xml.Append("</BlockList>");

        using var message = CreateMessage(RequestMethod.Put, blobName, ("comp", "blocklist"));
        SetCommitHeaders(message, sha256, options);
        message.Request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(xml.ToString()));
        var response = await SendAsync(message, cancellationToken);
        if (response.Status != 201)
        {
            // Azure and Azurite discard a blob's uncommitted blocks when any commit of that name succeeds, so a
            // concurrent upload to the same name makes this one fail with InvalidBlockList rather than mixing blocks.
            throw CreateException(message, ErrorCodeOf(response) == "InvalidBlockList"
                ? "put block list (another upload to the same name may have committed first)"
                : "put block list");
        }

        return ETagOf(response);
    }

    private static void SetCommitHeaders(HttpMessage message, string sha256, BlobUploadOptions options)
    {
        var headers = message.Request.Headers;
        if (options.ContentType is not null)
        {
            headers.SetValue("x-ms-blob-content-type", options.ContentType);
        }

        if (!options.Overwrite)
        {
            headers.SetValue("If-None-Match", "*");
        }

        if (options.Metadata is not null)
        {
            foreach (var (name, value) in options.Metadata)
            {
                if (!IsValidMetadataName(name) || !value.All(char.IsAscii) || value.Any(char.IsControl))
                {
                    throw new ArgumentException($"Metadata '{name}' needs an identifier-like name and a printable ASCII value.", nameof(options));
                }

                headers.SetValue(MetadataPrefix + name.ToLowerInvariant(), value);
            }
        }

        headers.SetValue(MetadataPrefix + Sha256MetadataName, sha256);
    }

    private static bool IsValidMetadataName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

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

#pragma warning disable CA5351 // MD5 here is the transport checksum Azure Storage defines (Content-MD5), not a security measure.
    private static string ComputeMd5(ReadOnlySpan<byte> data) => Convert.ToBase64String(MD5.HashData(data));
#pragma warning restore CA5351

    private static string ETagOf(Response response) =>
        response.Headers.TryGetValue("ETag", out var eTag) ? eTag : "";
}
