using EmiPlatform.Inference.Perception;
using EmiPlatform.Inference.Speech;

namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// What a recording's branches measured, window by window, before fusion: each branch's EMI (and the audio branch's
/// VAD) means, the face stage's coverage and perception means, and the speech stage's track. Null: that part did not
/// run for this recording.
/// </summary>
internal sealed record RecordingSignals
{
    public WindowAccumulator? AudioEmi { get; init; }

    public WindowAccumulator? Vad { get; init; }

    public WindowAccumulator? VisualEmi { get; init; }

    /// <summary>1 or 0 per sampled frame: whether it showed the tracked face.</summary>
    public WindowAccumulator? FaceCoverage { get; init; }

    /// <summary>Per perceived frame: <see cref="FacePerception.Columns"/>, then its face confidence.</summary>
    public WindowAccumulator? Perception { get; init; }

    public SpeechTrack? Speech { get; init; }

    /// <summary>Seconds of the recording's clock at which the speech track's audio stream starts.</summary>
    public double SpeechOffsetSeconds { get; init; }

    /// <summary>The face stage's frames and frames with the face; null without a face stage.</summary>
    public (int Frames, int WithFace)? FaceFrames { get; init; }
}
