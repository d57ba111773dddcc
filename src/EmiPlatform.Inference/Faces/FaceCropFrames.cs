using EmiPlatform.Bundles;
using EmiPlatform.Media;

namespace EmiPlatform.Inference.Faces;

/// <summary>
/// The face stage as the visual decoder's frame shaper: ffmpeg letterboxes each frame into a black square of
/// <see cref="FaceStage.FrameSize"/> (the whole picture, any aspect ratio or rotation), the detector and the track
/// find the participant's face in it, and the tracked box, widened by the crop margin to the image size's aspect
/// ratio, is resampled to the branch's image size and normalised. A frame without the tracked face becomes zeros
/// (the normalised mean colour) and is recorded as unseen, so its steps are masked out of the branch. Only one
/// letterboxed frame is held at a time: decoding stays streamed.
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
    private readonly List<float> _aus = [];
    private readonly object _gate = new();

    /// <param name="actionUnits">The face stage's action-unit model, when the bundle ships one (null: AU input stays zeros).</param>
    public FaceCropFrames(Onnx.OnnxModel detector, VisualBranch branch, Onnx.OnnxModel? actionUnits = null)
    {
        _stage = branch.Face ?? throw new ArgumentException("The visual branch has no face stage.", nameof(branch));
        _detector = new BlazeFaceDetector(detector, _stage);
        if (actionUnits is not null)
        {
            var spec = _stage.ActionUnitModel ?? throw new ArgumentException("The face stage names no action-unit model.", nameof(actionUnits));
            _actionUnits = new ActionUnitExtractor(actionUnits, spec, branch);
        }

        _track = new FaceTrack(_stage);
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

    /// <summary>Whether frame <paramref name="index"/> (of the decoded stream) showed the tracked face.</summary>
    public bool Seen(long index)
    {
        lock (_gate)
        {
            return index >= 0 && index < _seen.Count && _seen[(int)index];
        }
    }

    /// <summary>Whether frames get action units from a model (otherwise <see cref="FillActionUnits"/> writes zeros).</summary>
    public bool HasActionUnits => _actionUnits is not null;

    /// <summary>
    /// The AU rows of <paramref name="destination"/>.Length / action_units frames from <paramref name="firstFrame"/>
    /// on: the model's output for frames with the tracked face, zeros for the others and for frames not decoded.
    /// </summary>
    public void FillActionUnits(long firstFrame, Span<float> destination)
    {
        destination.Clear();
        if (_actionUnits is null)
        {
            return;
        }

        var width = _actionUnits.Count;
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
        var box = _track.Update(_detector.Detect(frame, size), index / _frameRate);
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

        Span<float> aus = _actionUnits is null ? [] : stackalloc float[_actionUnits.Count];
        if (_actionUnits is not null && box is { } face)
        {
            _actionUnits.Extract(frame, size, face, _stage.CropMargin, aus);
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
