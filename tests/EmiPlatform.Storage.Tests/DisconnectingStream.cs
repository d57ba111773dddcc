namespace EmiPlatform.Storage.Tests;

/// <summary>Delivers the first <paramref name="failAfter"/> bytes of <paramref name="inner"/>, then fails like a dropped client connection.</summary>
internal sealed class DisconnectingStream(Stream inner, long failAfter) : Stream
{
    private long _delivered;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _delivered;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_delivered >= failAfter)
        {
            throw new IOException("The client disconnected (simulated).");
        }

        var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, failAfter - _delivered)]);
        _delivered += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
