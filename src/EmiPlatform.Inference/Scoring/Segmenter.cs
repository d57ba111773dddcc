using System.Buffers;
using System.Threading.Channels;
using EmiPlatform.Media;

namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// Cuts a decoded stream into overlapping segments and writes them to a bounded channel, so decoding runs ahead
/// of inference by at most the channel's capacity. A segment is only written once the next read shows whether
/// it is the last one (its ownership of the tail depends on that).
/// </summary>
internal static class Segmenter
{
    public static async Task RunAsync(FfmpegDecoder decoder, int segmentUnits, int overlapUnits, ChannelWriter<Segment> writer, CancellationToken cancellationToken)
    {
        var hop = segmentUnits - overlapUnits;
        var unitFloats = decoder.UnitFloats;
        Segment? pending = null;
        try
        {
            var buffer = ArrayPool<float>.Shared.Rent(segmentUnits * unitFloats);
            var units = await FillAsync(decoder, buffer, 0, segmentUnits, cancellationToken).ConfigureAwait(false);
            if (units == 0)
            {
                ArrayPool<float>.Shared.Return(buffer);
                return;
            }

            long start = 0;
            var first = true;
            while (true)
            {
                if (units < segmentUnits)
                {
                    pending = new Segment(buffer, units, start, first, isLast: true, overlapUnits);
                    break;
                }

                var next = ArrayPool<float>.Shared.Rent(segmentUnits * unitFloats);
                Array.Copy(buffer, hop * unitFloats, next, 0, overlapUnits * unitFloats);
                var fresh = await FillAsync(decoder, next, overlapUnits, hop, cancellationToken).ConfigureAwait(false);
                if (fresh == 0)
                {
                    ArrayPool<float>.Shared.Return(next);
                    pending = new Segment(buffer, units, start, first, isLast: true, overlapUnits);
                    break;
                }

                pending = new Segment(buffer, units, start, first, isLast: false, overlapUnits);
                await writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
                pending = null;
                buffer = next;
                units = overlapUnits + fresh;
                start += hop;
                first = false;
            }

            await writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
            pending = null;
        }
        finally
        {
            pending?.Release();
            writer.TryComplete();
        }
    }

    private static async Task<int> FillAsync(FfmpegDecoder decoder, float[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < count)
        {
            var read = await decoder.ReadAsync(buffer, offset + total, count - total, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
