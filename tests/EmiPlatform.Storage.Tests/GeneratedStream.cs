namespace EmiPlatform.Storage.Tests;

/// <summary>
/// A forward-only stream of <paramref name="length"/> deterministic pseudo-random bytes that never holds more than
/// a small pattern in memory: stands in for a request body far larger than any buffer the client may keep.
/// </summary>
internal sealed class GeneratedStream(long length, int seed) : ForwardOnlyStream
{
    // Odd length so consecutive blocks of a power-of-two size never repeat the same bytes.
    private readonly byte[] _pattern = TestData.RandomBytes(1_048_573, seed);

    public override int Read(Span<byte> buffer)
    {
        var total = (int)Math.Min(buffer.Length, length - Delivered);
        var written = 0;
        while (written < total)
        {
            var at = (int)(Delivered % _pattern.Length);
            var n = Math.Min(total - written, _pattern.Length - at);
            _pattern.AsSpan(at, n).CopyTo(buffer[written..]);
            written += n;
            Delivered += n;
        }

        return total;
    }
}
