using System.Diagnostics;
using EmiPlatform.Inference.Faces;
using EmiPlatform.Inference.Onnx;

namespace EmiPlatform.Inference.Perception;

/// <summary>
/// The perception of one tracked face per sampled frame: FaceMesh on the eye-levelled crop of the tracked BlazeFace
/// box (<see cref="FaceMeshCrop"/>), the geometric action descriptors and head pose from its landmarks
/// (<see cref="FacialActionDescriptors"/>), and the expression probabilities on the same square
/// (<see cref="ExpressionClassifier"/>). A frame without a tracked face, or one whose crop FaceMesh does not take for
/// a face (face flag below <see cref="MinFaceFlag"/>, human's <c>face.detector.minConfidence</c>), gives null. One
/// perceiver per recording (its runners and buffers are not shared); the ONNX models may be shared.
/// </summary>
public sealed class FacePerceiver : IDisposable
{
    /// <summary>Below this FaceMesh face flag the crop is taken for no face, as @vladmandic/human does.</summary>
    public const float MinFaceFlag = 0.2f;

    private readonly FaceMeshLandmarker _landmarker;
    private readonly ExpressionClassifier? _expressions;
    private long _landmarkTicks;
    private long _expressionTicks;
    private int _frames;

    /// <param name="faceMesh">facemesh.onnx (input_1 [N,192,192,3] → output_mesh, output_faceflag).</param>
    /// <param name="expression">emotion.onnx (input_1 [N,64,64,1] → Identity [N,7]); null: the expressions are NaN (not measured).</param>
    public FacePerceiver(OnnxModel faceMesh, OnnxModel? expression)
    {
        _landmarker = new FaceMeshLandmarker(faceMesh);
        try
        {
            _expressions = expression is null ? null : new ExpressionClassifier(expression);
        }
        catch
        {
            _landmarker.Dispose();
            throw;
        }
    }

    /// <summary>The landmarks of the last face perceived: 468 x, y, z triples in pixels of the frame it was given.</summary>
    public ReadOnlySpan<float> Landmarks => _landmarker.Landmarks;

    /// <summary>Frames perceived so far and the time spent on landmarks (crop, FaceMesh, mapping, descriptors) and on expressions.</summary>
    public (int Frames, TimeSpan Landmarks, TimeSpan Expressions) Timings =>
        (_frames, Stopwatch.GetElapsedTime(0, _landmarkTicks), Stopwatch.GetElapsedTime(0, _expressionTicks));

    /// <summary>
    /// Perceives the face in <paramref name="box"/> (the tracked box, with its keypoints, in the coordinates of the
    /// letterboxed rgb24 <paramref name="frame"/> of side <paramref name="frameSize"/>); null for no face.
    /// </summary>
    public FacePerception? Perceive(ReadOnlySpan<byte> frame, int frameSize, FaceBox? box, CancellationToken cancellationToken = default)
    {
        if (box is not { } face)
        {
            return null;
        }

        var start = Stopwatch.GetTimestamp();
        var flag = _landmarker.Run(frame, frameSize, face, cancellationToken);
        if (!(flag >= MinFaceFlag))
        {
            _landmarkTicks += Stopwatch.GetTimestamp() - start;
            _frames++;
            return null;
        }

        var descriptors = new float[FacialActionDescriptors.Names.Count];
        FacialActionDescriptors.Compute(_landmarker.Landmarks, descriptors);
        var middle = Stopwatch.GetTimestamp();
        var expressions = new float[ExpressionClassifier.Classes.Count];
        if (_expressions is null)
        {
            expressions.AsSpan().Fill(float.NaN);
        }
        else
        {
            _expressions.Classify(frame, frameSize, _landmarker.Crop, expressions, cancellationToken);
        }
        var end = Stopwatch.GetTimestamp();
        _landmarkTicks += middle - start;
        _expressionTicks += end - middle;
        _frames++;
        return new FacePerception(descriptors, expressions, FaceConfidence(face.Score, flag));
    }

    /// <summary>The bounding box of the last face's landmarks, normalised to the frame it was given.</summary>
    public (double CenterX, double CenterY, double Width, double Height) MeshExtent(int frameSize)
    {
        var mesh = _landmarker.Landmarks;
        float minX = float.MaxValue, minY = float.MaxValue, maxX = float.MinValue, maxY = float.MinValue;
        for (var i = 0; i < FaceMeshLandmarker.Points; i++)
        {
            minX = Math.Min(minX, mesh[3 * i]);
            maxX = Math.Max(maxX, mesh[3 * i]);
            minY = Math.Min(minY, mesh[(3 * i) + 1]);
            maxY = Math.Max(maxY, mesh[(3 * i) + 1]);
        }

        return ((minX + maxX) / (2.0 * frameSize), (minY + maxY) / (2.0 * frameSize), (maxX - minX) / (double)frameSize, (maxY - minY) / (double)frameSize);
    }

    /// <summary>
    /// The box the next frame's crop can come from instead of the detector (MediaPipe's and human's tracking
    /// shortcut), after a frame that was perceived in <paramref name="box"/>: centred on the bounding box of the last
    /// landmarks (as human's calculateFaceBox), that bounding box's size times <paramref name="scale"/> (the detector
    /// box's size over the mesh's at the last detection, so the crop keeps the detector's framing while it follows a
    /// face that grows, shrinks or drops its jaw), the score of <paramref name="box"/>, and keypoints from the mesh
    /// (eye centres 33/133 and 263/362, nose tip 1, lip centre 13/14, face sides 234 and 454), so the next crop is
    /// levelled by the mesh's eye line.
    /// </summary>
    public FaceBox NextBox(FaceBox box, int frameSize, (double Width, double Height) scale)
    {
        var mesh = _landmarker.Landmarks;
        var keypoints = new float[2 * FaceBox.KeypointCount];
        ReadOnlySpan<(int A, int B)> pairs = [(33, 133), (263, 362), (1, 1), (13, 14), (234, 234), (454, 454)];
        for (var k = 0; k < pairs.Length; k++)
        {
            keypoints[2 * k] = (mesh[3 * pairs[k].A] + mesh[3 * pairs[k].B]) / (2f * frameSize);
            keypoints[(2 * k) + 1] = (mesh[(3 * pairs[k].A) + 1] + mesh[(3 * pairs[k].B) + 1]) / (2f * frameSize);
        }

        var extent = MeshExtent(frameSize);
        return box with
        {
            CenterX = extent.CenterX,
            CenterY = extent.CenterY,
            Width = extent.Width * scale.Width,
            Height = extent.Height * scale.Height,
            Keypoints = keypoints,
        };
    }

    /// <summary>
    /// The detector's score times FaceMesh's face flag: both models must take the crop for a face, and either's
    /// doubt lowers it (two independent checks, so the product rather than the minimum).
    /// </summary>
    public static double FaceConfidence(double detectorScore, double faceFlag) => Math.Clamp(detectorScore, 0, 1) * Math.Clamp(faceFlag, 0, 1);

    public void Dispose()
    {
        _landmarker.Dispose();
        _expressions?.Dispose();
    }
}
