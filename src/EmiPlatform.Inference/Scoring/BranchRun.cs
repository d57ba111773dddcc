using System.Threading.Channels;
using EmiPlatform.Inference.Onnx;
using EmiPlatform.Media;

namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// Runs one branch over one recording: a decoder feeding segments through a bounded channel (decoding overlaps
/// inference), batches of equal-length segments through the model (its own runner, or the model's shared
/// <see cref="SegmentBatcher"/>), and each owned step's outputs into the window accumulators.
/// </summary>
internal sealed class BranchRun
{
    private static readonly float[] s_one = [1f];
    private static readonly float[] s_zero = [0f];

    /// <summary>Null for a heads-only run: the segments come from <see cref="CachedSegments"/>, nothing is decoded.</summary>
    public FfmpegDecoder? Decoder { get; init; }

    /// <summary>Segments of a feature-cache entry to run through the head instead of decoding (with <see cref="Features"/> holding their features).</summary>
    public IEnumerable<Segment>? CachedSegments { get; init; }

    /// <summary>Units (samples or frames) per second of the stream.</summary>
    public required double UnitsPerSecond { get; init; }

    public required BranchModel Model { get; init; }

    /// <summary>When set, batches go through it (merged with other recordings' batches) instead of a runner of this run's own.</summary>
    public SegmentBatcher? Batcher { get; init; }

    public required int SegmentUnits { get; init; }

    public required int OverlapUnits { get; init; }

    /// <summary>Shorter segments are zero-padded to this many units (the wav2vec2 conv stack needs 400 samples).</summary>
    public int MinimumUnits { get; init; } = 1;

    public required int BatchSize { get; init; }

    /// <summary>Seconds of the recording's clock at which the decoded stream starts.</summary>
    public double StreamOffsetSeconds { get; init; }

    /// <summary>Per-step outputs per second of input.</summary>
    public required double OutputRateHz { get; init; }

    /// <summary>Features known already (the cache) and where computed ones go; null: always run the backbone.</summary>
    public ISegmentFeatures? Features { get; init; }

    /// <summary>Floats per unit of a second input (see <see cref="SegmentRequest.SideFloats"/>).</summary>
    public int SideFloats { get; init; }

    /// <summary>Writes the second input's values of the units from a stream index on (null: zeros).</summary>
    public Action<long, Span<float>>? FillSide { get; init; }

    /// <summary>Step outputs to read (shape [batch, steps, channels]) and the accumulator each goes to.</summary>
    public required IReadOnlyList<(string Output, WindowAccumulator Accumulator)> StepOutputs { get; init; }

    /// <summary>
    /// Held around each ONNX Runtime call when the branches take turns (see
    /// <see cref="ScoringOptions.ConcurrentBranches"/>); null lets them run at the same time.
    /// </summary>
    public SemaphoreSlim? InferenceGate { get; init; }

    /// <summary>
    /// When set, whether the stream's unit (frame) at an index showed the participant's face: steps of units without
    /// it are left out of <see cref="StepOutputs"/> and counted 0 in <see cref="Coverage"/> (1 otherwise).
    /// </summary>
    public Func<long, bool>? UnitSeen { get; init; }

    public WindowAccumulator? Coverage { get; init; }

    /// <summary>Called with the seconds of the stream scored so far.</summary>
    public Action<double>? Scored { get; init; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var runner = Batcher is null ? Model.CreateRunner() : null;
        var channel = Channel.CreateBounded<Segment>(new BoundedChannelOptions(Math.Max(2, 2 * BatchSize))
        {
            SingleReader = true,
            SingleWriter = true,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Decoder is null
            ? Task.Run(() => Replay(channel.Writer), stop.Token)
            : Task.Run(() => Segmenter.RunAsync(Decoder, SegmentUnits, OverlapUnits, channel.Writer, stop.Token), stop.Token);
        try
        {
            await ConsumeAsync(channel.Reader, runner, cancellationToken).ConfigureAwait(false);
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

        if (Decoder is not null)
        {
            await Decoder.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task Replay(ChannelWriter<Segment> writer)
    {
        try
        {
            foreach (var segment in CachedSegments ?? [])
            {
                await writer.WriteAsync(segment).ConfigureAwait(false);
            }
        }
        finally
        {
            writer.TryComplete();
        }
    }

    private async Task ConsumeAsync(ChannelReader<Segment> reader, StagedRunner? runner, CancellationToken cancellationToken)
    {
        var batch = new List<Segment>(BatchSize);
        var channels = StepOutputs.Select(s => s.Accumulator.Channels).ToArray();
        Segment? carry = null;
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

            var request = new SegmentRequest
            {
                Segments = batch,
                ModelUnits = Math.Max(batch[0].Units, MinimumUnits),
                UnitFloats = Decoder?.UnitFloats ?? 0,
                Features = Features,
                SideFloats = SideFloats,
                FillSide = FillSide is null ? null : (segment, destination) => FillSide(segment.StartUnit, destination),
                Channels = channels,
                Deliver = (s, o, steps, rows) => Accumulate(batch[s], StepOutputs[o].Accumulator, steps, rows),
                Cancellation = cancellationToken,
            };
            try
            {
                if (Batcher is not null)
                {
                    // Not cancellable while it runs: a batch shared with other recordings still reads this one's buffers.
                    await Batcher.RunAsync(request).ConfigureAwait(false);
                }
                else if (InferenceGate is null)
                {
                    SegmentExecution.Run(runner!, [request], cancellationToken);
                }
                else
                {
                    await InferenceGate.WaitAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        SegmentExecution.Run(runner!, [request], cancellationToken);
                    }
                    finally
                    {
                        InferenceGate.Release();
                    }
                }

                var last = batch[^1];
                Scored?.Invoke((last.StartUnit + last.Units) / UnitsPerSecond);
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

    private void Accumulate(Segment segment, WindowAccumulator accumulator, int steps, ReadOnlySpan<float> rows)
    {
        var unitsPerSecond = UnitsPerSecond;
        var channels = accumulator.Channels;
        var segmentStart = segment.StartUnit / unitsPerSecond;
        var ownedFrom = segment.OwnedFrom / unitsPerSecond;
        var ownedUntil = segment.OwnedUntil / unitsPerSecond;
        var realEnd = (segment.StartUnit + segment.Units) / unitsPerSecond;
        // Coverage is counted once per step, with the first step output.
        var countCoverage = Coverage is not null && ReferenceEquals(accumulator, StepOutputs[0].Accumulator);
        for (var i = 0; i < steps; i++)
        {
            var t = segmentStart + (i / OutputRateHz);
            // Steps that only see zero padding carry no information about the recording.
            if (t < ownedFrom || t >= ownedUntil || t >= realEnd)
            {
                continue;
            }

            var seen = UnitSeen is null || UnitSeen(segment.StartUnit + (long)Math.Floor((i * unitsPerSecond / OutputRateHz) + 1e-9));
            if (countCoverage)
            {
                Coverage!.Add(t + StreamOffsetSeconds, seen ? s_one : s_zero);
            }

            if (seen)
            {
                accumulator.Add(t + StreamOffsetSeconds, rows.Slice(i * channels, channels));
            }
        }
    }
}
