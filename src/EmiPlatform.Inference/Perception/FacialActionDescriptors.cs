namespace EmiPlatform.Inference.Perception;

/// <summary>
/// Geometric descriptors of facial actions measured from FaceMesh's landmarks: NOT FACS-coded action-unit
/// intensities, only the distances and angles the named actions change. Distances are taken in the face's own frame
/// (origin midway between the outer eye corners, u along the eye line towards the left eye, v perpendicular to it
/// pointing down the face) and divided by the inter-ocular distance (outer eye corners 33 and 263), so they do not
/// depend on the face's size, position or roll in the picture. docs/results.md ("Facial action descriptors") gives
/// each formula with its mesh indices and typical range; the indices are MediaPipe's canonical face-mesh topology.
/// </summary>
public static class FacialActionDescriptors
{
    /// <summary>The descriptors' column names in output order.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "au01_inner_brow_raise", "au02_outer_brow_raise", "au04_brow_lower", "au43_eye_closure",
        "au12_lip_corner_pull", "au15_lip_corner_depress", "au25_lips_part", "au26_jaw_drop",
        "head_yaw_deg", "head_pitch_deg", "head_roll_deg",
    ];

    /// <summary>
    /// For each of a visual branch's action-unit names (<c>AU01</c>, <c>AU12</c>, …), the index of the descriptor
    /// measured for that action (<c>au01_…</c>, <c>au12_…</c>), or -1 where none is: how descriptors fill the branch's
    /// AU input when the bundle ships no AU model. An index into <see cref="Names"/>.
    /// </summary>
    public static int[] ForActionUnits(IReadOnlyList<string> actionUnitNames) =>
    [
        .. actionUnitNames.Select(au =>
        {
            var prefix = au.Trim().ToLowerInvariant() + "_";
            for (var i = 0; i < Names.Count; i++)
            {
                if (Names[i].StartsWith(prefix, StringComparison.Ordinal))
                {
                    return i;
                }
            }

            return -1;
        }),
    ];

    // Mesh indices (subject's right = the picture's left on a frontal face).
    internal const int RightEyeOuter = 33, LeftEyeOuter = 263, RightEyeInner = 133, LeftEyeInner = 362;
    internal const int RightUpperLid = 159, RightLowerLid = 145, LeftUpperLid = 386, LeftLowerLid = 374;
    internal const int RightBrowInner = 107, LeftBrowInner = 336, RightBrowOuter = 70, LeftBrowOuter = 300;
    internal const int RightBrowMiddle = 105, LeftBrowMiddle = 334;
    internal const int RightMouthCorner = 61, LeftMouthCorner = 291, UpperLipInner = 13, LowerLipInner = 14;
    internal const int NoseBottom = 2, Chin = 152, Forehead = 10;

    /// <summary>An eye aspect ratio typical of an open eye (Soukupová and Čech 2016 report about 0.3).</summary>
    internal const double OpenEyeAspect = 0.3;

    /// <summary>
    /// Writes the <see cref="Names"/> values of one face to <paramref name="destination"/> from its 468 landmarks
    /// (x, y, z triples in pixels; z in the same scale, negative towards the camera).
    /// </summary>
    public static void Compute(ReadOnlySpan<float> landmarks, Span<float> destination)
    {
        if (landmarks.Length < FaceMeshLandmarker.Points * 3 || destination.Length < Names.Count)
        {
            throw new ArgumentException($"Needs {FaceMeshLandmarker.Points} x, y, z landmarks and room for {Names.Count} values.");
        }

        var (rx, ry) = Point(landmarks, RightEyeOuter);
        var (lx, ly) = Point(landmarks, LeftEyeOuter);
        var iod = Math.Sqrt(((lx - rx) * (lx - rx)) + ((ly - ry) * (ly - ry)));
        if (!(iod > 1e-6))
        {
            destination[..Names.Count].Fill(float.NaN);
            return;
        }

        var f = new FaceAxes(landmarks, (lx + rx) / 2, (ly + ry) / 2, (lx - rx) / iod, (ly - ry) / iod, iod);
        var innerBrow = ((f.V(RightEyeInner) - f.V(RightBrowInner)) + (f.V(LeftEyeInner) - f.V(LeftBrowInner))) / 2;
        var outerBrow = ((f.V(RightEyeOuter) - f.V(RightBrowOuter)) + (f.V(LeftEyeOuter) - f.V(LeftBrowOuter))) / 2;
        var browToLid = ((f.V(RightUpperLid) - f.V(RightBrowMiddle)) + (f.V(LeftUpperLid) - f.V(LeftBrowMiddle))) / 2;
        var browGap = Math.Abs(f.U(LeftBrowInner) - f.U(RightBrowInner));
        var eyeAspect = (((f.V(RightLowerLid) - f.V(RightUpperLid)) / Math.Abs(f.U(RightEyeInner) - f.U(RightEyeOuter)))
            + ((f.V(LeftLowerLid) - f.V(LeftUpperLid)) / Math.Abs(f.U(LeftEyeOuter) - f.U(LeftEyeInner)))) / 2;
        var mouthWidth = Math.Abs(f.U(LeftMouthCorner) - f.U(RightMouthCorner));
        var cornerElevation = f.V(UpperLipInner) - ((f.V(RightMouthCorner) + f.V(LeftMouthCorner)) / 2);

        destination[0] = (float)innerBrow;
        destination[1] = (float)outerBrow;
        destination[2] = (float)(-(browToLid + browGap) / 2);
        destination[3] = (float)(1 - Math.Clamp(eyeAspect / OpenEyeAspect, 0, 1));
        destination[4] = (float)(mouthWidth + cornerElevation);
        destination[5] = (float)-cornerElevation;
        destination[6] = (float)Math.Max(0, f.V(LowerLipInner) - f.V(UpperLipInner));
        destination[7] = (float)(f.V(Chin) - f.V(NoseBottom));

        var (yaw, pitch, roll) = HeadPose(landmarks);
        destination[8] = (float)yaw;
        destination[9] = (float)pitch;
        destination[10] = (float)roll;
    }

    /// <summary>
    /// Head yaw, pitch and roll in degrees. Roll: the angle of the eye line (33 → 263) from the picture's horizontal,
    /// positive when the face is turned clockwise on screen. Yaw and pitch: the direction of the face plane's normal
    /// towards the camera, n = (chin 152 − forehead 10) × (263 − 33) in 3D, after taking the roll out; yaw is positive
    /// when the face turns towards the picture's right, pitch positive when it turns up.
    /// </summary>
    internal static (double Yaw, double Pitch, double Roll) HeadPose(ReadOnlySpan<float> landmarks)
    {
        var ex = Vector(landmarks, LeftEyeOuter, RightEyeOuter);
        var ey = Vector(landmarks, Chin, Forehead);
        var roll = Math.Atan2(ex.Y, ex.X);
        var n = (X: (ey.Y * ex.Z) - (ey.Z * ex.Y), Y: (ey.Z * ex.X) - (ey.X * ex.Z), Z: (ey.X * ex.Y) - (ey.Y * ex.X));
        var (cos, sin) = (Math.Cos(-roll), Math.Sin(-roll));
        var nx = (n.X * cos) - (n.Y * sin);
        var ny = (n.X * sin) + (n.Y * cos);
        var toCamera = -n.Z;
        const double degrees = 180 / Math.PI;
        return (Math.Atan2(nx, toCamera) * degrees, Math.Atan2(-ny, toCamera) * degrees, roll * degrees);
    }

    /// <summary>Positions in the face's frame, in inter-ocular distances.</summary>
    private readonly ref struct FaceAxes(ReadOnlySpan<float> landmarks, double ox, double oy, double ux, double uy, double iod)
    {
        private readonly ReadOnlySpan<float> _landmarks = landmarks;

        /// <summary>Along the eye line, towards the left eye.</summary>
        public double U(int i) => (((_landmarks[3 * i] - ox) * ux) + ((_landmarks[(3 * i) + 1] - oy) * uy)) / iod;

        /// <summary>Perpendicular to the eye line, down the face.</summary>
        public double V(int i) => ((-(_landmarks[3 * i] - ox) * uy) + ((_landmarks[(3 * i) + 1] - oy) * ux)) / iod;
    }

    private static (double X, double Y) Point(ReadOnlySpan<float> landmarks, int i) => (landmarks[3 * i], landmarks[(3 * i) + 1]);

    private static (double X, double Y, double Z) Vector(ReadOnlySpan<float> landmarks, int to, int from) =>
        (landmarks[3 * to] - landmarks[3 * from], landmarks[(3 * to) + 1] - landmarks[(3 * from) + 1], landmarks[(3 * to) + 2] - landmarks[(3 * from) + 2]);
}
