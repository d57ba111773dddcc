using System.Text.Json.Serialization;

namespace EmiPlatform.Media;

/// <summary>
/// A video stream. <see cref="Rotation"/> is the display rotation in degrees (ffmpeg applies it while decoding);
/// <see cref="Width"/> and <see cref="Height"/> are the coded size before rotation.
/// </summary>
public sealed record VideoStreamInfo(
    int Index,
    string Codec,
    int Width,
    int Height,
    double AverageFrameRate,
    double NominalFrameRate,
    int Rotation,
    double StartTime,
    double? Duration)
{
    /// <summary>ffprobe's average and nominal rates disagree for variable-frame-rate streams.</summary>
    [JsonIgnore]
    public bool LooksVariableFrameRate =>
        AverageFrameRate > 0 && NominalFrameRate > 0 && Math.Abs(AverageFrameRate - NominalFrameRate) / NominalFrameRate > 0.01;
}
