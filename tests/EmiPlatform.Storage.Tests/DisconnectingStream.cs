namespace EmiPlatform.Storage.Tests;

/// <summary>Delivers the first <paramref name="failAfter"/> bytes of <paramref name="inner"/>, then fails like a dropped client connection.</summary>
internal sealed class DisconnectingStream(Stream inner, long failAfter) : ForwardOnlyStream
{
    public override int Read(Span<byte> buffer)
    {
        if (Delivered >= failAfter)
        {
            throw new IOException("The client disconnected (simulated).");
        }

        var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, failAfter - Delivered)]);
        Delivered += n;
        return n;
    }
}
