using EmiPlatform.Bundles;
using EmiPlatform.Inference.Faces;
using EmiPlatform.Inference.Onnx;
using EmiPlatform.Inference.Perception;

namespace EmiPlatform.Inference.Tests;

/// <summary>
/// Landmarks, action descriptors, head pose and expressions from the reference bundle's BlazeFace detector and the
/// converted MediaPipe FaceMesh and expression CNN on ONNX Runtime, on warps of a public-domain photo: the signals
/// move the way their names say, and a frame without a face gives none.
/// </summary>
public sealed class FacePerceptionTests(PerceptionFaces faces) : IClassFixture<PerceptionFaces>, IDisposable
{
    private readonly ModelBundle _bundle = ModelBundle.Load(TestEnvironment.ReferenceBundle);
    private readonly OnnxModel _detectorModel = OnnxModel.Open(ModelBundle.Load(TestEnvironment.ReferenceBundle).FaceDetectorPath!, TestEnvironment.Cpu);
    private readonly OnnxModel _mesh = OnnxModel.Open(Path.Combine(TestEnvironment.ReferenceBundle, "facemesh.onnx"), TestEnvironment.Cpu);
    private readonly OnnxModel _emotion = OnnxModel.Open(Path.Combine(TestEnvironment.ReferenceBundle, "emotion.onnx"), TestEnvironment.Cpu);

    private FaceStage Stage => _bundle.Visual!.Face!;

    /// <summary>The detector, the track and the perceiver on one frame, as the face stage runs them.</summary>
    private (FaceBox? Box, FacePerception? Perception) Perceive(string name)
    {
        var frame = faces.Frame(name);
        using var detector = new BlazeFaceDetector(_detectorModel, Stage);
        using var perceiver = new FacePerceiver(_mesh, _emotion);
        var box = new FaceTrack(Stage).Update(detector.Detect(frame, PerceptionFaces.Size), 0);
        return (box, perceiver.Perceive(frame, PerceptionFaces.Size, box));
    }

    private FacePerception PerceiveFace(string name) =>
        Perceive(name).Perception ?? throw new Xunit.Sdk.XunitException($"{name}: no face perceived");

    [Fact]
    public void The_column_lists_name_every_value_in_order()
    {
        Assert.Equal(
            ["au01_inner_brow_raise", "au02_outer_brow_raise", "au04_brow_lower", "au43_eye_closure", "au12_lip_corner_pull",
             "au15_lip_corner_depress", "au25_lips_part", "au26_jaw_drop", "head_yaw_deg", "head_pitch_deg", "head_roll_deg"],
            FacePerception.DescriptorColumns);
        Assert.Equal(
            ["expr_angry", "expr_disgust", "expr_fear", "expr_happy", "expr_sad", "expr_surprise", "expr_neutral"],
            FacePerception.ExpressionColumns);
        var p = PerceiveFace("astronaut");
        Assert.Equal(FacePerception.DescriptorColumns.Count, p.Descriptors.Length);
        Assert.Equal(FacePerception.ExpressionColumns.Count, p.Expressions.Length);
    }

    [Fact]
    public void Landmarks_land_on_the_astronauts_eyes_mouth_and_chin()
    {
        // FaceMesh's own points on this photo (tests/fixtures/perception, TensorFlow.js on a hand-placed crop) mapped
        // to the photo: outer eye corners near (194, 101) and (259, 104), mouth corners near (201, 140) and
        // (246, 142), chin near (221, 179). Our crop comes from the detector instead, so a few pixels of slack.
        var frame = faces.Frame("astronaut");
        using var detector = new BlazeFaceDetector(_detectorModel, Stage);
        using var perceiver = new FacePerceiver(_mesh, _emotion);
        var box = new FaceTrack(Stage).Update(detector.Detect(frame, PerceptionFaces.Size), 0);
        Assert.NotNull(box);
        Assert.NotNull(box.Value.Keypoints);
        Assert.NotNull(perceiver.Perceive(frame, PerceptionFaces.Size, box));
        var landmarks = perceiver.Landmarks;
        foreach (var (index, x, y) in new[] { (33, 194, 101), (263, 259, 104), (61, 201, 140), (291, 246, 142), (152, 221, 179) })
        {
            Assert.InRange(landmarks[3 * index], x - 5, x + 5);
            Assert.InRange(landmarks[(3 * index) + 1], y - 5, y + 5);
        }
    }

    [Fact]
    public void Pulling_the_mouth_corners_up_and_out_raises_lip_corner_pull_and_leaves_the_brows()
    {
        var before = PerceiveFace("astronaut");
        var after = PerceiveFace("smile");
        var pull = after["au12_lip_corner_pull"] - before["au12_lip_corner_pull"];
        Assert.True(pull > 0.08, $"au12_lip_corner_pull {before["au12_lip_corner_pull"]:0.000} -> {after["au12_lip_corner_pull"]:0.000}");
        Assert.True(after["au15_lip_corner_depress"] < before["au15_lip_corner_depress"], "the corners went up, so depression must fall");
        AssertBrowsStill(before, after, pull);
    }

    [Fact]
    public void Dropping_the_jaw_raises_jaw_drop_and_lips_part_and_leaves_the_brows()
    {
        var before = PerceiveFace("astronaut");
        var after = PerceiveFace("jaw");
        var drop = after["au26_jaw_drop"] - before["au26_jaw_drop"];
        var part = after["au25_lips_part"] - before["au25_lips_part"];
        Assert.True(drop > 0.1, $"au26_jaw_drop {before["au26_jaw_drop"]:0.000} -> {after["au26_jaw_drop"]:0.000}");
        Assert.True(part > 0.05, $"au25_lips_part {before["au25_lips_part"]:0.000} -> {after["au25_lips_part"]:0.000}");
        AssertBrowsStill(before, after, Math.Min(drop, part));
    }

    /// <summary>The brow descriptors move by much less (a quarter at most) than the action the warp made.</summary>
    private static void AssertBrowsStill(FacePerception before, FacePerception after, double action)
    {
        foreach (var brow in new[] { "au01_inner_brow_raise", "au02_outer_brow_raise", "au04_brow_lower" })
        {
            var change = Math.Abs(after[brow] - before[brow]);
            Assert.True(change < action / 4, $"{brow} moved {change:0.000} against the warp's {action:0.000}");
        }
    }

    [Fact]
    public void Turning_the_picture_15_degrees_turns_head_roll_by_15_degrees()
    {
        var upright = PerceiveFace("astronaut");
        var turned = PerceiveFace("roll15");
        // skimage turns counter-clockwise on screen; roll is positive clockwise.
        var change = turned["head_roll_deg"] - upright["head_roll_deg"];
        Assert.InRange(change, -15 - 4, -15 + 4);
        // The face itself did not change: its descriptors stay close (the resampling blurs a little).
        Assert.InRange(turned["au12_lip_corner_pull"] - upright["au12_lip_corner_pull"], -0.05, 0.05);
        Assert.InRange(turned["head_yaw_deg"] - upright["head_yaw_deg"], -5, 5);
    }

    [Fact]
    public void The_smiling_astronaut_is_happy_above_every_other_expression()
    {
        var p = PerceiveFace("astronaut");
        var happy = FacePerception.ExpressionColumns.ToList().IndexOf("expr_happy");
        Assert.Equal(happy, Array.IndexOf(p.Expressions, p.Expressions.Max()));
        Assert.InRange(p.Expressions.Sum(), 0.999f, 1.001f);
        Assert.InRange(p.FaceConfidence, 0.5, 1.0);
    }

    [Fact]
    public void A_frame_without_a_face_gives_no_perception()
    {
        var (box, perception) = Perceive("faceless");
        Assert.Null(box);
        Assert.Null(perception);
    }

    [Fact]
    public void A_box_forced_onto_a_frame_without_a_face_is_refused_by_the_face_flag()
    {
        // Where the astronaut's face would be, on a photo of a coffee cup: FaceMesh's flag, not the detector, says no.
        var astronaut = Perceive("astronaut").Box!.Value;
        using var perceiver = new FacePerceiver(_mesh, _emotion);
        Assert.Null(perceiver.Perceive(faces.Frame("faceless"), PerceptionFaces.Size, astronaut));
    }

    [Fact]
    public void Between_detections_the_crop_follows_the_landmarks_and_the_detector_runs_again_when_the_face_is_lost()
    {
        var astronaut = faces.Frame("astronaut");
        using var detector = new BlazeFaceDetector(_detectorModel, Stage);
        using var perceiver = new FacePerceiver(_mesh, _emotion);
        var tracker = new LandmarkFaceTracker(detector, new FaceTrack(Stage), perceiver, PerceptionFaces.Size, redetectFrames: 30);
        var first = tracker.Next(astronaut, 0).Perception!;
        FacePerception? held = null;
        for (var i = 1; i < 10; i++)
        {
            held = tracker.Next(astronaut, i / 5.0).Perception;
            Assert.NotNull(held);
        }

        Assert.Equal(1, tracker.Detections);
        Assert.InRange(held!["au12_lip_corner_pull"] - first["au12_lip_corner_pull"], -0.05, 0.05);
        Assert.InRange(held["au26_jaw_drop"] - first["au26_jaw_drop"], -0.05, 0.05);
        Assert.InRange(held["head_roll_deg"] - first["head_roll_deg"], -2, 2);
        Assert.Equal(held.Expressions.Max(), held["expr_happy"]);

        var (box, lost) = tracker.Next(faces.Frame("faceless"), 2.0);
        Assert.Null(box);
        Assert.Null(lost);
        Assert.Equal(2, tracker.Detections);
        Assert.NotNull(tracker.Next(astronaut, 2.2).Perception);
        Assert.Equal(3, tracker.Detections);
    }

    [Fact]
    public void Face_confidence_is_the_detector_score_times_the_face_flag()
    {
        Assert.Equal(0.45, FacePerceiver.FaceConfidence(0.9, 0.5), 1e-12);
        Assert.Equal(0.0, FacePerceiver.FaceConfidence(0.9, -0.1), 1e-12);
    }

    public void Dispose()
    {
        _detectorModel.Dispose();
        _mesh.Dispose();
        _emotion.Dispose();
    }
}
