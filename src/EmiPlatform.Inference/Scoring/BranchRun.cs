using System.Buffers;
using System.Threading.Channels;
using EmiPlatform.Inference.Media;
using EmiPlatform.Inference.Onnx;

namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// Runs one branch over one recording: a decoder feeding segments through a bounded channel (decoding overlaps
/// inference), batches of equal-length segments through the ONNX session, and each owned step's outputs into
/// the window accumulators.
/// </summary>
internal sealed class BranchRun
{
    public required FfmpegDecoder Decoder { get; init; }

    public required OnnxSession Session { get; init; }

    public required int SegmentUnits { get; init; }

    public required int OverlapUnits { get; init; }

    /// <summary>Shorter segments are zero-padded to this many units (the wav2vec2 conv stack needs 400 samples).</summary>
    public int MinimumUnits { get; init; } = 1;

    public required int BatchSize { get; init; }

    /// <summary>Seconds of the recording's clock at which the decoded stream starts.</summary>
    public double StreamOffsetSeconds { get; init; }

    /// <summary>Per-step outputs per second of input.</summary>
    public required double OutputRateHz { get; init; }

    /// <summary>Builds the model inputs for a batch of <c>count</c> segments of <c>units</c> units in <c>data</c>.</summary>
    public required Func<ReadOnlyMemory<float>, int, int, OnnxInput[]> Inputs { get; init; }

    /// <summary>Step outputs to read (shape [batch, steps, channels]) and the accumulator each goes to.</summary>
    public required IReadOnlyList<(string Output, WindowAccumulator Accumulator)> StepOutputs { get; init; }

    /// <summary>
    /// Held around each ONNX Runtime call when the branches take turns (see
    /// <see cref="ScoringOptions.ConcurrentBranches"/>); null lets them run at the same time.
    /// </summary>
    public SemaphoreSlim? InferenceGate { get; init; }

    /// <summary>Called with the seconds of the stream scored so far.</summary>
    public Action<double>? Scored { get; init; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<Segment>(new BoundedChannelOptions(Math.Max(2, 2 * BatchSize))
        {
            SingleReader = true,
            SingleWriter = true,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(() => Segmenter.RunAsync(Decoder, SegmentUnits, OverlapUnits, channel.Writer, stop.Token), stop.Token);
        try
        {
            await ConsumeAsync(channel.Reader, cancellationToken).ConfigureAwait(false);
            await producer.ConfigureAwait(false);
        }
        catch
        {
            // Unblock a producer waiting on a full channel, let it finish, and surface the first failure.
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await producer.ConfigureAwait(false);
            }
            catch (Exception) when (producer.IsCanceled || producer.IsFaulted)
            {
                // The consumer's exception is the one that explains what happened.
            }

            throw;
        }
        finally
        {
            while (channel.Reader.TryRead(out var left))
            {
                left.Release();
            }
        }

        await Decoder.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task ConsumeAsync(ChannelReader<Segment> reader, CancellationToken cancellationToken)
    {
        var batch = new List<Segment>(BatchSize);
        Segment? carry = null;
        var outputNames = StepOutputs.Select(s => s.Output).ToArray();
        while (true)
        {
            batch.Clear();
            if (carry is not null)
            {
                batch.Add(carry);
                carry = null;
            }
            else if (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) && reader.TryRead(out var first))
            {
                batch.Add(first);
            }
            else
            {
                return;
            }

            while (batch.Count < BatchSize && await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) && reader.TryRead(out var more))
            {
                if (more.Units != batch[0].Units)
                {
                    carry = more;
                    break;
                }

                batch.Add(more);
            }

            try
            {
                if (InferenceGate is null)
                {
                    RunBatch(batch, outputNames, cancellationToken);
                }
                else
                {
                    await InferenceGate.WaitAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        RunBatch(batch, outputNames, cancellationToken);
                    }
                    finally
                    {
                        InferenceGate.Release();
                    }
                }
            }
            finally
            {
                foreach (var segment in batch)
                {
                    segment.Release();
                }
            }
        }
    }

    private void RunBatch(List<Segment> batch, string[] outputNames, CancellationToken cancellationToken)
    {
        var unitFloats = Decoder.UnitFloats;
        var units = batch[0].Units;
        var modelUnits = Math.Max(units, MinimumUnits);
        var perSegment = modelUnits * unitFloats;

        float[]? rented = null;
        ReadOnlyMemory<float> data;
        if (batch.Count == 1 && modelUnits == units)
        {
            // The common case: the segment's own buffer goes to ONNX Runtime without a copy.
            data = batch[0].Buffer.AsMemory(0, perSegment);
        }
        else
        {
            rented = ArrayPool<float>.Shared.Rent(perSegment * batch.Count);
            Array.Clear(rented, 0, perSegment * batch.Count);
            for (var b = 0; b < batch.Count; b++)
            {
                Array.Copy(batch[b].Buffer, 0, rented, b * perSegment, units * unitFloats);
            }

            data = rented.AsMemory(0, perSegment * batch.Count);
        }

        try
        {
            var outputs = Session.Run(Inputs(data, batch.Count, modelUnits), outputNames, cancellationToken);
            var unitsPerSecond = Decoder.UnitsPerSecond;
            for (var o = 0; o < outputs.Count; o++)
            {
                var output = outputs[o];
                var accumulator = StepOutputs[o].Accumulator;
                if (output.Shape.Length != 3 || output.Shape[0] != batch.Count || output.Shape[2] != accumulator.Channels)
                {
                    throw new OnnxRuntimeException(
                        $"Output '{output.Name}' has shape [{string.Join(", ", output.Shape)}]; expected [{batch.Count}, steps, {accumulator.Channels}].");
                }

                var steps = (int)output.Shape[1];
                var channels = accumulator.Channels;
                for (var b = 0; b < batch.Count; b++)
                {
                    var segment = batch[b];
                    var segmentStart = segment.StartUnit / unitsPerSecond;
                    var ownedFrom = segment.OwnedFrom / unitsPerSecond;
                    var ownedUntil = segment.OwnedUntil / unitsPerSecond;
                    var realEnd = (segment.StartUnit + segment.Units) / unitsPerSecond;
                    for (var i = 0; i < steps; i++)
                    {
                        var t = segmentStart + (i / OutputRateHz);
                        // Steps that only see zero padding carry no information about the recording.
                        if (t < ownedFrom || t >= ownedUntil || t >= realEnd)
                        {
                            continue;
                        }

                        accumulator.Add(t + StreamOffsetSeconds, output.Data.AsSpan(((b * steps) + i) * channels, channels));
                    }
                }
            }

            var last = batch[^1];
            Scored?.Invoke((last.StartUnit + last.Units) / unitsPerSecond);
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
