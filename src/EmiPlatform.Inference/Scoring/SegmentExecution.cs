using System.Buffers;
using EmiPlatform.Inference.Onnx;

namespace EmiPlatform.Inference.Scoring;

/// <summary>Runs equal-length segment requests through a runner as one batch and hands each its output rows.</summary>
internal static class SegmentExecution
{
    public static void Run(OnnxRunner runner, IReadOnlyList<SegmentRequest> requests, CancellationToken cancellationToken)
    {
        var first = requests[0];
        var units = first.ModelUnits;
        var perSegment = units * first.UnitFloats;
        var count = requests.Sum(r => r.Segments.Count);

        float[]? rented = null;
        Memory<float> data;
        if (count == 1 && first.Segments[0].Units == units)
        {
            // The common case on the CPU: the segment's own buffer goes to ONNX Runtime without a copy.
            data = first.Segments[0].Buffer.AsMemory(0, perSegment);
        }
        else
        {
            rented = ArrayPool<float>.Shared.Rent(perSegment * count);
            Array.Clear(rented, 0, perSegment * count);
            var b = 0;
            foreach (var request in requests)
            {
                foreach (var segment in request.Segments)
                {
                    Array.Copy(segment.Buffer, 0, rented, b++ * perSegment, segment.Units * first.UnitFloats);
                }
            }

            data = rented.AsMemory(0, perSegment * count);
        }

        var sidePerSegment = units * first.SideFloats;
        var side = sidePerSegment == 0 ? null : ArrayPool<float>.Shared.Rent(sidePerSegment * count);
        try
        {
            if (side is not null)
            {
                Array.Clear(side, 0, sidePerSegment * count);
                var b = 0;
                foreach (var request in requests)
                {
                    foreach (var segment in request.Segments)
                    {
                        request.FillSide?.Invoke(segment, side.AsSpan(b++ * sidePerSegment, segment.Units * first.SideFloats));
                    }
                }
            }

            var sideData = side is null ? Memory<float>.Empty : side.AsMemory(0, sidePerSegment * count);
            using var outputs = runner.Run(first.Inputs(data, sideData, count, units), cancellationToken);
            for (var o = 0; o < outputs.Count; o++)
            {
                var channels = first.Channels[o];
                var values = OnnxRunner.StepOutput(outputs[o], runner.OutputNames[o], count, channels, out var steps);
                var rows = steps * channels;
                var b = 0;
                foreach (var request in requests)
                {
                    for (var s = 0; s < request.Segments.Count; s++, b++)
                    {
                        request.Deliver(s, o, steps, values.Slice(b * rows, rows));
                    }
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<float>.Shared.Return(rented);
            }

            if (side is not null)
            {
                ArrayPool<float>.Shared.Return(side);
            }
        }
    }
}
