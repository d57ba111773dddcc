namespace EmiPlatform.Inference.Faces;

/// <summary>A face box in coordinates normalised to the letterboxed square frame (0..1 on both axes).</summary>
public readonly record struct FaceBox(double CenterX, double CenterY, double Width, double Height, double Score)
{
    /// <summary>BlazeFace's keypoints in the box's coordinates.</summary>
    public const int KeypointCount = 6;

    /// <summary>
    /// BlazeFace's six keypoints as x, y pairs in the same normalised coordinates as the box, in the model's order:
    /// the subject's right eye (left in the picture), left eye, nose tip, mouth centre, right ear tragion, left ear
    /// tragion; null where the detector gave none. FaceMesh's crop is levelled by the first two.
    /// </summary>
    public float[]? Keypoints { get; init; }

    public double Area => Math.Max(0, Width) * Math.Max(0, Height);

    public double IntersectionOverUnion(FaceBox other)
    {
        var left = Math.Max(CenterX - (Width / 2), other.CenterX - (other.Width / 2));
        var right = Math.Min(CenterX + (Width / 2), other.CenterX + (other.Width / 2));
        var top = Math.Max(CenterY - (Height / 2), other.CenterY - (other.Height / 2));
        var bottom = Math.Min(CenterY + (Height / 2), other.CenterY + (other.Height / 2));
        var intersection = Math.Max(0, right - left) * Math.Max(0, bottom - top);
        var union = Area + other.Area - intersection;
        return union > 0 ? intersection / union : 0;
    }
}
