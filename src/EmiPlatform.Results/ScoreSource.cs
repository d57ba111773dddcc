namespace EmiPlatform.Results;

/// <summary>Which part of a scored window a <see cref="ScoreColumn"/> is read from.</summary>
public enum ScoreSource
{
    /// <summary>The fused EMI prediction, found in the bundle's emotion list by the column's name; every bundle has all six.</summary>
    Emotion,

    /// <summary>The audio branch's valence/arousal/dominance, found by name; null where the bundle or the window has none.</summary>
    Vad,

    /// <summary>Whether the recording had an audio stream the bundle scored (a boolean column).</summary>
    HasAudio,

    /// <summary>Whether the recording had a video stream the bundle scored (a boolean column).</summary>
    HasVideo,

    /// <summary>The fraction of the window's visual frames with the tracked face; null for a bundle without a face stage.</summary>
    FaceCoverage,

    /// <summary>The fraction of the window's 32 ms audio steps the bundle's speech stage took for speech; null without one.</summary>
    SpeechCoverage,

    /// <summary>The mean over the window's perceived faces of detector score × FaceMesh face flag; null where none was perceived.</summary>
    FaceConfidence,

    /// <summary>A facial action descriptor or head angle measured from FaceMesh's landmarks, found by name; null where no face was perceived.</summary>
    Descriptor,

    /// <summary>An expression class probability (mean over the window's perceived faces), found by name; null where none was perceived.</summary>
    Expression,
}
