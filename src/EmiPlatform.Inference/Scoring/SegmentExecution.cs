using System.Buffers;
using EmiPlatform.Inference.Onnx;

namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// Runs equal-length segment requests through a branch's two graphs as one batch — the backbone (unless every
/// segment's features are known already) then the head — and hands each segment its output rows.
/// </summary>
internal static class SegmentExecution
{
    public static void Run(StagedRunner runner, IReadOnlyList<SegmentRequest> requests, CancellationToken cancellationToken)
    {
        var first = requests[0];
        var units = first.ModelUnits;
        var count = requests.Sum(r => r.Segments.Count);
        var width = runner.Stages.FeatureWidth;

        var features = Cached(requests, count, width, out var steps) ?? Computed(runner, requests, count, units, width, out steps, cancellationToken);
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
            using var outputs = runner.Head(features.AsMemory(0, count * steps * width), sideData, count, steps, first.SideFloats, cancellationToken);
            for (var o = 0; o < outputs.Count; o++)
            {
                var channels = first.Channels[o];
                var values = OnnxRunner.StepOutput(outputs[o], runner.OutputNames[o], count, channels, out var outSteps);
                var rows = outSteps * channels;
                var b = 0;
                foreach (var request in requests)
                {
                    for (var s = 0; s < request.Segments.Count; s++, b++)
                    {
                        request.Deliver(s, o, outSteps, values.Slice(b * rows, rows));
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(features);
            if (side is not null)
            {
                ArrayPool<float>.Shared.Return(side);
            }
        }
    }

    /// <summary>The batch's features from the cache when every segment has them (same step count); null otherwise.</summary>
    private static float[]? Cached(IReadOnlyList<SegmentRequest> requests, int count, int width, out int steps)
    {
        steps = -1;
        var found = new List<ReadOnlyMemory<float>>(count);
        foreach (var request in requests)
        {
            foreach (var segment in request.Segments)
            {
                if (request.Features is null || !request.Features.TryGet(segment, out var rows, out var n) || (steps >= 0 && n != steps) || rows.Length != n * width)
                {
                    return null;
                }

                steps = n;
                found.Add(rows);
            }
        }

        var features = ArrayPool<float>.Shared.Rent(Math.Max(1, count * steps * width));
        for (var i = 0; i < found.Count; i++)
        {
            found[i].Span.CopyTo(features.AsSpan(i * steps * width));
        }

        return features;
    }

    private static float[] Computed(StagedRunner runner, IReadOnlyList<SegmentRequest> requests, int count, int units, int width, out int steps, CancellationToken cancellationToken)
    {
        var first = requests[0];
        var perSegment = units * first.UnitFloats;
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

        try
        {
            var features = runner.Features(data, count, units, out steps, cancellationToken);
            var rows = steps * width;
            var i = 0;
            foreach (var request in requests)
            {
                foreach (var segment in request.Segments)
                {
                    request.Features?.Put(segment, steps, features.AsSpan(i++ * rows, rows));
                }
            }

            return features;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }
}
