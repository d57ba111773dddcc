using EmiPlatform.Inference.Faces;

namespace EmiPlatform.Inference.Perception;

/// <summary>
/// The face stage with MediaPipe's tracking shortcut: the BlazeFace detector runs only when the face is not held,
/// that is on the first frame, after a frame FaceMesh did not take for a face (face flag under
/// <see cref="FacePerceiver.MinFaceFlag"/>), and every <c>redetectFrames</c> frames so that a second, larger face
/// or a changed face size is still noticed; in between, each frame's crop comes from the previous frame's landmarks
/// (<see cref="FacePerceiver.NextBox"/>), and the participant track (<see cref="FaceTrack"/>) is moved along so the
/// next detection continues it. face_confidence then uses the last detection's score.
/// </summary>
internal sealed class LandmarkFaceTracker(BlazeFaceDetector detector, FaceTrack track, FacePerceiver perceiver, int frameSize, int redetectFrames)
{
    private FaceBox? _carried;
    private int _sinceDetection;

    /// <summary>Frames on which the detector ran, of <see cref="Frames"/>.</summary>
    public int Detections { get; private set; }

    public int Frames { get; private set; }

    /// <summary>The tracked box of a frame (null: no face) and its perception (null: none).</summary>
    public (FaceBox? Box, FacePerception? Perception) Next(ReadOnlySpan<byte> frame, double seconds, CancellationToken cancellationToken = default)
    {
        Frames++;
        if (_carried is { } carried && _sinceDetection < redetectFrames)
        {
            var held = perceiver.Perceive(frame, frameSize, carried, cancellationToken);
            if (held is not null)
            {
                _sinceDetection++;
                track.Continue(carried, seconds);
                _carried = perceiver.NextBox(carried, frameSize);
                return (carried, held);
            }
        }

        Detections++;
        _sinceDetection = 0;
        var box = track.Update(detector.Detect(frame, frameSize, cancellationToken), seconds);
        var perception = perceiver.Perceive(frame, frameSize, box, cancellationToken);
        _carried = perception is not null && box is { } b ? perceiver.NextBox(b, frameSize) : null;
        return (box, perception);
    }
}
