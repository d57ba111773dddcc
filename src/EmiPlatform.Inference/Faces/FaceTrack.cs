using EmiPlatform.Bundles;

namespace EmiPlatform.Inference.Faces;

/// <summary>
/// Keeps one participant's face across frames. The rule for several faces: the track starts on the largest face
/// (the participant sits closest to a lab's camera); afterwards, the detection overlapping the track's box most
/// (IoU at least <see cref="FaceStage.TrackMinIou"/>) continues it, and other faces are ignored. When no detection
/// continues the track, the frame has no tracked face; only after <see cref="FaceStage.ReacquireSeconds"/> without
/// it may the largest face start a new track (the participant came back elsewhere in the picture). The box is
/// smoothed exponentially: box = smoothing × previous + (1 − smoothing) × detection.
/// </summary>
internal sealed class FaceTrack(FaceStage stage)
{
    private FaceBox? _box;
    private double _lastSeen = double.NegativeInfinity;

    /// <summary>The tracked box in the frame at <paramref name="seconds"/>, or null when the participant's face is not in it.</summary>
    public FaceBox? Update(IReadOnlyList<FaceBox> detections, double seconds)
    {
        if (_box is { } previous)
        {
            FaceBox? match = null;
            var bestIou = stage.TrackMinIou;
            foreach (var d in detections)
            {
                var iou = previous.IntersectionOverUnion(d);
                if (iou >= bestIou)
                {
                    bestIou = iou;
                    match = d;
                }
            }

            if (match is { } m)
            {
                var a = stage.BoxSmoothing;
                _box = new FaceBox(
                    (a * previous.CenterX) + ((1 - a) * m.CenterX),
                    (a * previous.CenterY) + ((1 - a) * m.CenterY),
                    (a * previous.Width) + ((1 - a) * m.Width),
                    (a * previous.Height) + ((1 - a) * m.Height),
                    m.Score)
                {
                    // The keypoints are the detection's own: only their relative positions (FaceMesh's roll) are used.
                    Keypoints = m.Keypoints,
                };
                _lastSeen = seconds;
                return _box;
            }

            if (seconds - _lastSeen < stage.ReacquireSeconds)
            {
                return null;
            }
        }

        if (detections.Count == 0)
        {
            return null;
        }

        var largest = detections[0];
        foreach (var d in detections)
        {
            if (d.Area > largest.Area)
            {
                largest = d;
            }
        }

        _box = largest;
        _lastSeen = seconds;
        return _box;
    }

    /// <summary>
    /// Continues the track with a box found without the detector (from the previous frame's landmarks), so that the
    /// next detection is matched against where the face is now.
    /// </summary>
    public void Continue(FaceBox box, double seconds)
    {
        _box = box;
        _lastSeen = seconds;
    }
}
