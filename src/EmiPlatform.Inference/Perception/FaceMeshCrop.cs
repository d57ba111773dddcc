using EmiPlatform.Inference.Faces;

namespace EmiPlatform.Inference.Perception;

/// <summary>
/// The square FaceMesh looks at, in pixels of the letterboxed frame: MediaPipe's face-landmark ROI as
/// @vladmandic/human builds it. The tracked BlazeFace box is enlarged by <see cref="Enlarge"/> (human's
/// <c>face.detector.scale</c>, 1.4) and made square on its longer side, around the box's centre; the square is then
/// turned by the angle of the line from the right eye to the left eye keypoint (BlazeFace keypoints 0 and 1), so the
/// eyes are level in the crop, as MediaPipe's RectTransformation does with its rotation vector from keypoint 0 to 1
/// (target angle 0). human rotates only past 0.2 rad and by default not at all; we always level, which FaceMesh was
/// trained on. A box without keypoints gets an upright square.
/// </summary>
/// <param name="CenterX">The square's centre, frame pixels.</param>
/// <param name="CenterY">The square's centre, frame pixels.</param>
/// <param name="Side">The square's side, frame pixels.</param>
/// <param name="Angle">Radians from the frame's x axis to the square's x axis (y points down, so positive is clockwise on screen).</param>
public readonly record struct FaceMeshCrop(double CenterX, double CenterY, double Side, double Angle)
{
    public const double Enlarge = 1.4;

    public static FaceMeshCrop From(FaceBox box, int frameSize)
    {
        var side = Math.Max(box.Width, box.Height) * Enlarge * frameSize;
        var angle = 0.0;
        if (box.Keypoints is { Length: >= 4 } k)
        {
            angle = Math.Atan2(k[3] - k[1], k[2] - k[0]);
        }

        return new FaceMeshCrop(box.CenterX * frameSize, box.CenterY * frameSize, side, angle);
    }

    /// <summary>
    /// The frame point of crop coordinates (<paramref name="u"/>, <paramref name="v"/>) on a crop of side
    /// <paramref name="cropSize"/> (0..cropSize, the crop's left and top edges at 0).
    /// </summary>
    public (double X, double Y) ToFrame(double u, double v, int cropSize)
    {
        var (cos, sin) = (Math.Cos(Angle), Math.Sin(Angle));
        var a = ((u / cropSize) - 0.5) * Side;
        var b = ((v / cropSize) - 0.5) * Side;
        return (CenterX + (a * cos) - (b * sin), CenterY + (a * sin) + (b * cos));
    }
}
