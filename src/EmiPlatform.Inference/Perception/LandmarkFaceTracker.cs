using EmiPlatform.Inference.Faces;

namespace EmiPlatform.Inference.Perception;

/// <summary>
/// The face stage with MediaPipe's tracking shortcut: the BlazeFace detector runs only when the face is not held,
/// that is on the first frame, after a frame FaceMesh did not take for a face (face flag under
/// <see cref="FacePerceiver.MinFaceFlag"/>), and every <c>redetectFrames</c> frames so that a second, larger face
/// or a changed face size is still noticed; in between, each frame's crop comes from the previous frame's landmarks
/// (<see cref="FacePerceiver.NextBox"/>), the frame's box is where its own landmarks put the face, and the
/// participant track (<see cref="FaceTrack"/>) is moved along with it so the next detection continues it.
/// face_confidence then uses the last detection's score.
/// </summary>
internal sealed class LandmarkFaceTracker(BlazeFaceDetector detector, FaceTrack track, FacePerceiver perceiver, int frameSize, int redetectFrames)
{
    private FaceBox? _carried;

    // The detector box's size over the mesh's, and the detector box's size, at the last detection FaceMesh took for a face.
    private (double Width, double Height) _scale;
    private (double Width, double Height) _detected;

    // The centre of the face in the previous frame, when it was perceived there.
    private (double X, double Y)? _previous;
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
                // Where the landmarks put the face in this frame: the frame's box, what the track is matched against
                // at the next detection, and the next frame's crop.
                _sinceDetection++;
                var here = Carry(carried);
                track.Continue(here, seconds);
                _carried = Predict(here);
                return (here, held);
            }
        }

        Detections++;
        _sinceDetection = 0;
        var box = track.Update(detector.Detect(frame, frameSize, cancellationToken), seconds);
        var perception = perceiver.Perceive(frame, frameSize, box, cancellationToken);
        _carried = null;
        _previous = null;
        if (perception is not null && box is { } b && perceiver.MeshExtent(frameSize) is { Width: > 0, Height: > 0 } extent)
        {
            _scale = (b.Width / extent.Width, b.Height / extent.Height);
            _detected = (b.Width, b.Height);
            _carried = Predict(Carry(b));
        }

        return (box, perception);
    }

    /// <summary>
    /// The next frame's box from this frame's landmarks; it may grow with the face (a dropped jaw) but not shrink below
    /// the last detection's size until the detector runs again: a crop that lags a moving face shows FaceMesh less
    /// of it, and a box that followed that smaller mesh would shrink from frame to frame until the face was lost.
    /// </summary>
    private FaceBox Carry(FaceBox box)
    {
        var next = perceiver.NextBox(box, frameSize, _scale);
        return next with { Width = Math.Max(next.Width, _detected.Width), Height = Math.Max(next.Height, _detected.Height) };
    }

    /// <summary>
    /// The next frame's crop: where the face is now, moved on by as much as it moved since the previous frame. At the
    /// few frames per second the branch samples, a face moving across the picture would otherwise be cropped where
    /// it was, FaceMesh would see less of it each frame, and the crop would fall behind until the face was lost.
    /// </summary>
    private FaceBox Predict(FaceBox here)
    {
        var moved = _previous is { } p ? (X: here.CenterX - p.X, Y: here.CenterY - p.Y) : (X: 0.0, Y: 0.0);
        _previous = (here.CenterX, here.CenterY);
        return here with { CenterX = here.CenterX + moved.X, CenterY = here.CenterY + moved.Y };
    }
}
