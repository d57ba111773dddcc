using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests.Infrastructure;

/// <summary>A non-seekable stream of random bytes with no known length; optionally dies part-way, like a client that drops.</summary>
public sealed class ChunkedRandomStream(long length, long? failAfter = null) : Stream
{
    private long position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (failAfter is { } limit && position >= limit)
        {
            throw new IOException("simulated client failure mid-upload");
        }
        var n = (int)Math.Min(count, length - position);
        Random.Shared.NextBytes(buffer.AsSpan(offset, n));
        position += n;
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
