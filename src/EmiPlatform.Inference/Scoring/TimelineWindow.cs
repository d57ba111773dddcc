namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// One timeline window. <see cref="Emi"/> is the late fusion of the branches that have predictions in the window
/// (fusion weights normalised over those branches); <see cref="Vad"/> comes from the audio branch (null without
/// audio); the per-branch EMI values are null where that branch has no predictions. All values are in [0, 1],
/// ordered as the bundle's emotions / VAD names. <see cref="FaceCoverage"/> is the fraction of the window's visual
/// frames that showed the participant's tracked face (null without a face stage or without video); the visual
/// branch is fused from those frames only, and is null where the face was never seen. <see cref="SpeechCoverage"/>
/// is the fraction of the window's 32 ms audio steps the speech stage took for speech (null without one);
/// <see cref="FaceConfidence"/> and <see cref="Perception"/> (<see cref="Perception.FacePerception.Columns"/> order,
/// NaN where not measured) are means over the window's frames whose face was perceived, null where none was.
/// </summary>
public sealed record TimelineWindow(
    double StartSeconds,
    double EndSeconds,
    IReadOnlyList<float> Emi,
    IReadOnlyList<float>? Vad,
    IReadOnlyList<float>? AudioEmi,
    IReadOnlyList<float>? VisualEmi,
    double? FaceCoverage = null,
    double? SpeechCoverage = null,
    double? FaceConfidence = null,
    IReadOnlyList<float>? Perception = null);
