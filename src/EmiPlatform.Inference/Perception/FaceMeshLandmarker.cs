using EmiPlatform.Inference.Faces;
using EmiPlatform.Inference.Onnx;

namespace EmiPlatform.Inference.Perception;

/// <summary>
/// MediaPipe FaceMesh (converted from @vladmandic/human's TensorFlow.js graph) on one tracked face: the
/// <see cref="FaceMeshCrop"/> square resampled to 192 × 192, NHWC RGB in [0, 1] (human divides the crop by 255), and
/// the 468 landmarks mapped from crop pixels back to frame pixels. The face flag is FaceMesh's own probability that
/// the crop shows a face (the graph ends in a sigmoid). The input and landmark buffers are reused from frame to
/// frame; one landmarker per caller.
/// </summary>
internal sealed class FaceMeshLandmarker : IDisposable
{
    public const int InputSize = 192;
    public const int Points = 468;
    public const string InputName = "input_1";
    public const string MeshOutput = "output_mesh";
    public const string FlagOutput = "output_faceflag";

    private readonly OnnxRunner _runner;
    private readonly float[] _input = new float[InputSize * InputSize * 3];
    private readonly float[] _landmarks = new float[Points * 3];

    public FaceMeshLandmarker(OnnxModel model) => _runner = model.CreateRunner([MeshOutput, FlagOutput]);

    /// <summary>x, y, z of each landmark in frame pixels (z: depth in the same scale, negative towards the camera), as of the last <see cref="Run"/>.</summary>
    public ReadOnlySpan<float> Landmarks => _landmarks;

    /// <summary>The crop of the last <see cref="Run"/>.</summary>
    public FaceMeshCrop Crop { get; private set; }

    /// <summary>Runs FaceMesh on the face in <paramref name="box"/>; returns the face flag (0..1).</summary>
    public float Run(ReadOnlySpan<byte> frame, int frameSize, FaceBox box, CancellationToken cancellationToken = default)
    {
        var crop = FaceMeshCrop.From(box, frameSize);
        Crop = crop;
        var writer = new UnitWriter(_input);
        RotatedSquare.Sample(frame, frameSize, crop, InputSize, ref writer);
        using var outputs = _runner.Run([new OnnxInput(InputName, _input, [1, InputSize, InputSize, 3])], cancellationToken);
        var mesh = outputs[0].GetTensorDataAsSpan<float>();
        var flag = outputs[1].GetTensorDataAsSpan<float>();
        if (mesh.Length != _landmarks.Length || flag.Length != 1)
        {
            throw new InvalidDataException($"FaceMesh gave {mesh.Length} mesh values and {flag.Length} flags for one crop; expected {_landmarks.Length} and 1.");
        }

        var (cos, sin) = (Math.Cos(crop.Angle), Math.Sin(crop.Angle));
        var scale = crop.Side / InputSize;
        for (var i = 0; i < Points; i++)
        {
            var a = (mesh[3 * i] - (InputSize / 2.0)) * scale;
            var b = (mesh[(3 * i) + 1] - (InputSize / 2.0)) * scale;
            _landmarks[3 * i] = (float)(crop.CenterX + (a * cos) - (b * sin));
            _landmarks[(3 * i) + 1] = (float)(crop.CenterY + (a * sin) + (b * cos));
            _landmarks[(3 * i) + 2] = (float)(mesh[(3 * i) + 2] * scale);
        }

        return flag[0];
    }

    public void Dispose() => _runner.Dispose();

    private readonly struct UnitWriter(float[] input) : IPixelWriter
    {
        public void Write(int pixel, int channel, float value) => input[(pixel * 3) + channel] = value / 255f;
    }
}
