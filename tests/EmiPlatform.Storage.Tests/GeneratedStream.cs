namespace EmiPlatform.Storage.Tests;

/// <summary>
/// A forward-only stream of <paramref name="length"/> deterministic pseudo-random bytes that never holds more than
/// a small pattern in memory: stands in for a request body far larger than any buffer the client may keep.
/// </summary>
internal sealed class GeneratedStream(long length, int seed) : Stream
{
    // Odd length so consecutive blocks of a power-of-two size never repeat the same bytes.
    private readonly byte[] _pattern = TestData.RandomBytes(1_048_573, seed);
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var total = (int)Math.Min(buffer.Length, length - _position);
        var written = 0;
        while (written < total)
        {
            var at = (int)(_position % _pattern.Length);
            var n = Math.Min(total - written, _pattern.Length - at);
            _pattern.AsSpan(at, n).CopyTo(buffer[written..]);
            written += n;
            _position += n;
        }

        return total;
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
