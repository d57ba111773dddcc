using EmiPlatform.Bundles;
using EmiPlatform.Inference.Perception;
using EmiPlatform.Media;

namespace EmiPlatform.Inference.Faces;

/// <summary>
/// The face stage as the visual decoder's frame shaper: ffmpeg letterboxes each frame into a black square of
/// <see cref="FaceStage.FrameSize"/> (the whole picture, any aspect ratio or rotation), the detector and the track
/// find the participant's face in it, and the tracked box, widened by the crop margin to the image size's aspect
/// ratio, is resampled to the branch's image size and normalised. A frame without the tracked face becomes zeros
/// (the normalised mean colour) and is recorded as unseen, so its steps are masked out of the branch. Only one
/// letterboxed frame is held at a time: decoding stays streamed. With a perceiver (the face stage's landmarks), the
/// face is followed by <see cref="LandmarkFaceTracker"/> (the detector only when FaceMesh loses it) and each frame's
/// <see cref="FacePerception"/> is handed to <see cref="Perceived"/>.
/// </summary>
internal sealed class FaceCropFrames : IFrameShaper, IDisposable
{
    private readonly FaceStage _stage;
    private readonly BlazeFaceDetector _detector;
    private readonly FaceTrack _track;
    private readonly int _height;
    private readonly int _width;
    private readonly double _frameRate;
    private readonly float[] _mean;
    private readonly float[] _std;
    private readonly List<bool> _seen = [];
    private readonly ActionUnitExtractor? _actionUnits;
    private readonly LandmarkFaceTracker? _tracker;

    // Per AU input channel, the descriptor that fills it when the bundle has no AU model (-1: zero); null: no descriptors.
    private readonly int[]? _descriptorAus;
    private readonly int _auWidth;
    private readonly List<float> _aus = [];
    private readonly object _gate = new();

    /// <param name="actionUnits">The face stage's action-unit model, when the bundle ships one.</param>
    /// <param name="perceiver">
    /// The face stage's landmarks (and expressions), when the bundle declares them; without an AU model, their
    /// descriptors fill the AU input channels they are named for. Owned by the caller.
    /// </param>
    public FaceCropFrames(Onnx.OnnxModel detector, VisualBranch branch, Onnx.OnnxModel? actionUnits = null, FacePerceiver? perceiver = null)
    {
        _stage = branch.Face ?? throw new ArgumentException("The visual branch has no face stage.", nameof(branch));
        _detector = new BlazeFaceDetector(detector, _stage);
        if (actionUnits is not null)
        {
            var spec = _stage.ActionUnitModel ?? throw new ArgumentException("The face stage names no action-unit model.", nameof(actionUnits));
            _actionUnits = new ActionUnitExtractor(actionUnits, spec, branch);
        }

        _track = new FaceTrack(_stage);
        if (perceiver is not null)
        {
            _tracker = new LandmarkFaceTracker(_detector, _track, perceiver, _stage.FrameSize, _stage.RedetectFrames);
            if (_actionUnits is null && branch.ActionUnitNames.Count == branch.ActionUnits)
            {
                _descriptorAus = FacialActionDescriptors.ForActionUnits(branch.ActionUnitNames);
            }
        }

        _auWidth = _actionUnits?.Count ?? (_descriptorAus is null ? 0 : branch.ActionUnits);
        _height = branch.Height;
        _width = branch.Width;
        _frameRate = branch.FrameRate;
        _mean = [.. branch.Mean];
        _std = [.. branch.Std];
        Filter = LetterboxFilter(_stage.FrameSize);
    }

    /// <summary>The whole picture, any aspect ratio, scaled into a black square of side <paramref name="size"/>.</summary>
    public static string LetterboxFilter(int size) =>
        $"format=rgb24,scale={size}:{size}:force_original_aspect_ratio=decrease,pad={size}:{size}:(ow-iw)/2:(oh-ih)/2:black";

    public string Filter { get; }

    public int FrameBytes => _stage.FrameSize * _stage.FrameSize * 3;

    public int FrameFloats => _height * _width * 3;

    /// <summary>Called with each frame's index and tracked box (null: no face), in decoding order.</summary>
    public Action<long, FaceBox?>? Tracked { get; init; }

    /// <summary>Called with each frame's index and what the perceiver measured of the face (null: nothing), in decoding order.</summary>
    public Action<long, FacePerception?>? Perceived { get; init; }

    /// <summary>Whether frame <paramref name="index"/> (of the decoded stream) showed the tracked face.</summary>
    public bool Seen(long index)
    {
        lock (_gate)
        {
            return index >= 0 && index < _seen.Count && _seen[(int)index];
        }
    }

    /// <summary>Whether frames get action units, from a model or the landmark descriptors (otherwise <see cref="FillActionUnits"/> writes zeros).</summary>
    public bool HasActionUnits => _auWidth > 0;

    /// <summary>
    /// The AU rows of <paramref name="destination"/>.Length / action_units frames from <paramref name="firstFrame"/>
    /// on: the model's output (or the descriptors) for frames with the tracked face, zeros for the others and for frames not decoded.
    /// </summary>
    public void FillActionUnits(long firstFrame, Span<float> destination)
    {
        destination.Clear();
        if (_auWidth == 0)
        {
            return;
        }

        var width = _auWidth;
        lock (_gate)
        {
            var from = (int)Math.Min(firstFrame * width, _aus.Count);
            var count = Math.Min(destination.Length, _aus.Count - from);
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_aus).Slice(from, count).CopyTo(destination);
        }
    }

    public (int Frames, int WithFace) Counts
    {
        get
        {
            lock (_gate)
            {
                return (_seen.Count, _seen.Count(s => s));
            }
        }
    }

    public void Shape(ReadOnlySpan<byte> frame, Span<float> destination)
    {
        int index;
        lock (_gate)
        {
            index = _seen.Count;
        }

        var size = _stage.FrameSize;
        FaceBox? box;
        FacePerception? perception = null;
        if (_tracker is not null)
        {
            (box, perception) = _tracker.Next(frame, index / _frameRate);
        }
        else
        {
            box = _track.Update(_detector.Detect(frame, size), index / _frameRate);
        }

        if (box is { } b)
        {
            var (left, top, width, height) = CropRectangle(b, _stage.CropMargin, _height, _width);
            var writer = new NormalisingWriter(destination, _height * _width, _mean, _std);
            Bilinear.Sample(frame, size, left * size, top * size, width * size, height * size, _height, _width, ref writer);
        }
        else
        {
            destination.Clear();
        }

        Span<float> aus = _auWidth == 0 ? [] : stackalloc float[_auWidth];
        if (_actionUnits is not null && box is { } face)
        {
            _actionUnits.Extract(frame, size, face, _stage.CropMargin, aus);
        }
        else if (_descriptorAus is not null && perception is not null)
        {
            for (var i = 0; i < aus.Length; i++)
            {
                var descriptor = _descriptorAus[i] >= 0 ? perception.Descriptors[_descriptorAus[i]] : 0f;
                aus[i] = float.IsFinite(descriptor) ? descriptor : 0f;
            }
        }

        lock (_gate)
        {
            _seen.Add(box is not null);
            foreach (var value in aus)
            {
                _aus.Add(value);
            }
        }

        Tracked?.Invoke(index, box);
        Perceived?.Invoke(index, perception);
    }

    /// <summary>The crop around a box (normalised): the box plus the margin on each side, widened to the output's aspect ratio.</summary>
    public static (double Left, double Top, double Width, double Height) CropRectangle(FaceBox box, double margin, int outHeight, int outWidth)
    {
        var aspect = outWidth / (double)outHeight;
        var height = Math.Max(box.Height, box.Width / aspect) * (1 + (2 * margin));
        var width = height * aspect;
        return (box.CenterX - (width / 2), box.CenterY - (height / 2), width, height);
    }

    public void Dispose()
    {
        _detector.Dispose();
        _actionUnits?.Dispose();
    }

    /// <summary>(pixel / 255 - mean) / std into planar RGB, the normalisation of the branch and of the AU model.</summary>
    internal readonly ref struct NormalisingWriter(Span<float> destination, int pixels, float[] mean, float[] std) : IPixelWriter
    {
        private readonly Span<float> _destination = destination;

        public void Write(int pixel, int channel, float value) =>
            _destination[(channel * pixels) + pixel] = ((value / 255f) - mean[channel]) / std[channel];
    }
}
