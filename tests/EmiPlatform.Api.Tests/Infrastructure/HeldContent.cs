using System.Net;

namespace EmiPlatform.Api.Tests.Infrastructure;

/// <summary>A request body that sends its first half, then waits for <c>release</c> before the rest: an upload held open.</summary>
public sealed class HeldContent(byte[] bytes, Task release) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var half = bytes.Length / 2;
        await stream.WriteAsync(bytes.AsMemory(0, half));
        await stream.FlushAsync();
        await release;
        await stream.WriteAsync(bytes.AsMemory(half));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = bytes.Length;
        return true;
    }
}
