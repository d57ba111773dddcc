using EmiPlatform.Bundles;
using EmiPlatform.Inference.Onnx;

namespace EmiPlatform.Inference.Faces;

/// <summary>
/// Runs a bundle's action-unit model on one tracked face: the box widened by the crop margin to the model's own
/// image size, resampled from the letterboxed frame and normalised as its manifest section says, one crop per
/// call. Its intensities are clamped to 0..action_unit_max, the range the visual branch divides by.
/// </summary>
internal sealed class ActionUnitExtractor : IDisposable
{
    private readonly ActionUnitModel _spec;
    private readonly OnnxRunner _runner;
    private readonly float[] _input;
    private readonly float[] _mean;
    private readonly float[] _std;
    private readonly float _max;

    public ActionUnitExtractor(OnnxModel model, ActionUnitModel spec, VisualBranch branch)
    {
        _spec = spec;
        _runner = model.CreateRunner([spec.Output.Name]);
        _input = new float[3 * spec.Height * spec.Width];
        _mean = [.. spec.Mean];
        _std = [.. spec.Std];
        _max = (float)branch.ActionUnitMax;
        Count = branch.ActionUnits;
    }

    /// <summary>Action units per face crop: the width of the branch's AU input.</summary>
    public int Count { get; }

    /// <summary>Writes the face's <see cref="Count"/> intensities to <paramref name="destination"/>.</summary>
    public void Extract(ReadOnlySpan<byte> frame, int frameSize, FaceBox box, double margin, Span<float> destination)
    {
        var (left, top, width, height) = FaceCropFrames.CropRectangle(box, margin, _spec.Height, _spec.Width);
        var writer = new FaceCropFrames.NormalisingWriter(_input, _spec.Height * _spec.Width, _mean, _std);
        Bilinear.Sample(frame, frameSize, left * frameSize, top * frameSize, width * frameSize, height * frameSize, _spec.Height, _spec.Width, ref writer);
        using var outputs = _runner.Run([new OnnxInput(_spec.Input.Name, _input, [1, 3, _spec.Height, _spec.Width])]);
        var values = outputs[0].GetTensorDataAsSpan<float>();
        if (values.Length != Count)
        {
            throw new InvalidDataException($"The action-unit model {_spec.Onnx} gave {values.Length} values for one face crop; the visual branch's AU input takes {Count}.");
        }

        for (var i = 0; i < Count; i++)
        {
            destination[i] = float.IsNaN(values[i]) ? 0f : Math.Clamp(values[i], 0f, _max);
        }
    }

    public void Dispose() => _runner.Dispose();
}
