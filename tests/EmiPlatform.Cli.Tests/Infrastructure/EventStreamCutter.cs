namespace EmiPlatform.Cli.Tests.Infrastructure;

/// <summary>
/// Passes requests to the real API, but cuts the first event stream's connection after its first
/// <paramref name="events"/> events (as a dropped network would: the next read fails). Later streams pass untouched.
/// </summary>
public sealed class EventStreamCutter(int events) : DelegatingHandler(new SocketsHttpHandler())
{
    private int _streams;

    /// <summary>The <c>Last-Event-ID</c> of every event-stream request, in order (null: none sent).</summary>
    public List<string?> LastEventIds { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (!request.RequestUri!.AbsolutePath.EndsWith("/events", StringComparison.Ordinal))
        {
            return response;
        }
        lock (LastEventIds)
        {
            LastEventIds.Add(request.Headers.TryGetValues("Last-Event-ID", out var ids) ? ids.Single() : null);
        }
        if (Interlocked.Increment(ref _streams) == 1)
        {
            var inner = await response.Content.ReadAsStreamAsync(cancellationToken);
            var cut = new StreamContent(new CuttingStream(inner, events));
            foreach (var header in response.Content.Headers)
            {
                cut.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
            response.Content = cut;
        }
        return response;
    }

    /// <summary>Reads through until <c>events</c> blank-line event ends have passed, then fails like a reset connection.</summary>
    private sealed class CuttingStream(Stream inner, int events) : Stream
    {
        private int _left = events;
        private byte _previous;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_left == 0)
            {
                throw new IOException("test: the connection was cut");
            }
            var read = await inner.ReadAsync(buffer, cancellationToken);
            var span = buffer.Span[..read];
            for (var i = 0; i < span.Length; i++)
            {
                if (span[i] == '\n' && _previous == '\n' && --_left == 0)
                {
                    return i + 1; // the rest of this chunk is lost with the connection
                }
                _previous = span[i];
            }
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
