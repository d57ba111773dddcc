using EmiPlatform.Inference.Faces;
using EmiPlatform.Inference.Onnx;

namespace EmiPlatform.Inference.Perception;

/// <summary>
/// The 7-class expression CNN of @vladmandic/human (gear/emotion.ts; oarriaga/face_classification's mini-Xception
/// trained on FER-2013) on one face. human feeds it its FaceMesh crop resized to 64 × 64, turned to grey with
/// 0.2989 R + 0.5870 G + 0.1140 B of [0, 1] RGB, then (grey − 0.5) × 2; we sample the same square
/// (<see cref="FaceMeshCrop"/>, eyes levelled) straight from the frame at 64 × 64. The output is a softmax in
/// <see cref="Classes"/> order (human's annotation list for this grey-scale model).
/// </summary>
internal sealed class ExpressionClassifier : IDisposable
{
    public const int InputSize = 64;
    public const string InputName = "input_1";
    public const string Output = "Identity";

    /// <summary>The model's classes in output order.</summary>
    public static IReadOnlyList<string> Classes { get; } = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"];

    private readonly OnnxRunner _runner;
    private readonly float[] _input = new float[InputSize * InputSize];

    public ExpressionClassifier(OnnxModel model) => _runner = model.CreateRunner([Output]);

    /// <summary>Writes the <see cref="Classes"/> probabilities of the face in <paramref name="crop"/> to <paramref name="destination"/>.</summary>
    public void Classify(ReadOnlySpan<byte> frame, int frameSize, FaceMeshCrop crop, Span<float> destination, CancellationToken cancellationToken = default)
    {
        var writer = new GreyWriter(_input);
        RotatedSquare.Sample(frame, frameSize, crop, InputSize, ref writer);
        using var outputs = _runner.Run([new OnnxInput(InputName, _input, [1, InputSize, InputSize, 1])], cancellationToken);
        var probabilities = outputs[0].GetTensorDataAsSpan<float>();
        if (probabilities.Length != Classes.Count)
        {
            throw new InvalidDataException($"The expression model gave {probabilities.Length} values for one face; expected {Classes.Count}.");
        }

        probabilities.CopyTo(destination);
    }

    public void Dispose() => _runner.Dispose();

    /// <summary>
    /// Sums the channels' weighted values into one grey value per pixel; the samplers write R, G, B of a pixel in
    /// that order, so the blue write completes it.
    /// </summary>
    private readonly struct GreyWriter(float[] input) : IPixelWriter
    {
        public void Write(int pixel, int channel, float value)
        {
            switch (channel)
            {
                case 0:
                    input[pixel] = 0.2989f * (value / 255f);
                    break;
                case 1:
                    input[pixel] += 0.5870f * (value / 255f);
                    break;
                default:
                    input[pixel] = (input[pixel] + (0.1140f * (value / 255f)) - 0.5f) * 2f;
                    break;
            }
        }
    }
}
