namespace EmiPlatform.Inference.Scoring;

/// <summary>Receives one segment's rows of one step output: <c>steps × channels</c> values, row-major.</summary>
internal delegate void StepRowsHandler(int segment, int output, int steps, ReadOnlySpan<float> rows);

/// <summary>
/// Equal-length segments of one branch of one recording that go through the model together, and where their
/// outputs go. A <see cref="SegmentBatcher"/> may run several requests of the same length in one call.
/// </summary>
internal sealed class SegmentRequest
{
    public required IReadOnlyList<Segment> Segments { get; init; }

    /// <summary>Units per segment the model sees (shorter segments are zero-padded to it).</summary>
    public required int ModelUnits { get; init; }

    /// <summary>Floats per unit (1 for audio samples, 3·H·W for frames).</summary>
    public required int UnitFloats { get; init; }

    /// <summary>Features known already (the cache) and where computed ones go; null: always run the backbone.</summary>
    public ISegmentFeatures? Features { get; init; }

    /// <summary>Floats per unit of the second input (the visual branch's action units); 0: none.</summary>
    public int SideFloats { get; init; }

    /// <summary>Writes a segment's second input (its units × <see cref="SideFloats"/>, zeroed beforehand); null leaves zeros.</summary>
    public Action<Segment, Span<float>>? FillSide { get; init; }

    /// <summary>Channels of each step output, in the runner's output order.</summary>
    public required IReadOnlyList<int> Channels { get; init; }

    public required StepRowsHandler Deliver { get; init; }

    public CancellationToken Cancellation { get; init; }

    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
