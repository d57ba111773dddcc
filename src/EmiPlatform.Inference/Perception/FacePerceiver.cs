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
    private readonly ExpressionClassifier _expressions;
    private long _landmarkTicks;
    private long _expressionTicks;
    private int _frames;

    /// <param name="faceMesh">facemesh.onnx (input_1 [N,192,192,3] → output_mesh, output_faceflag).</param>
    /// <param name="expression">emotion.onnx (input_1 [N,64,64,1] → Identity [N,7]).</param>
    public FacePerceiver(OnnxModel faceMesh, OnnxModel expression)
    {
        _landmarker = new FaceMeshLandmarker(faceMesh);
        try
        {
            _expressions = new ExpressionClassifier(expression);
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
        _expressions.Classify(frame, frameSize, _landmarker.Crop, expressions, cancellationToken);
        var end = Stopwatch.GetTimestamp();
        _landmarkTicks += middle - start;
        _expressionTicks += end - middle;
        _frames++;
        return new FacePerception(descriptors, expressions, FaceConfidence(face.Score, flag));
    }

    /// <summary>
    /// The detector's score times FaceMesh's face flag: both models must take the crop for a face, and either's
    /// doubt lowers it (two independent checks, so the product rather than the minimum).
    /// </summary>
    public static double FaceConfidence(double detectorScore, double faceFlag) => Math.Clamp(detectorScore, 0, 1) * Math.Clamp(faceFlag, 0, 1);

    public void Dispose()
    {
        _landmarker.Dispose();
        _expressions.Dispose();
    }
}
