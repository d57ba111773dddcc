using System.Buffers;
using EmiPlatform.Inference.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// Runs a branch's two graphs for one caller: <see cref="Features"/> runs the backbone (media to features) and
/// <see cref="Head"/> the head (features to step outputs). Between the two the features can be stored in, or taken
/// from, the feature cache. Not thread-safe (its runners are not), hence one per concurrent caller.
/// </summary>
internal sealed class StagedRunner : IDisposable
{
    private readonly OnnxRunner _backbone;
    private readonly OnnxRunner? _preprocess;
    private readonly OnnxRunner _head;

    public StagedRunner(BranchModel model)
    {
        Stages = model.Stages;
        _backbone = model.Backbone.CreateRunner([Stages.BackboneOutput]);
        _preprocess = model.Preprocess?.CreateRunner([Stages.PreprocessOutput!]);
        _head = model.Head.CreateRunner(Stages.HeadOutputs);
    }

    public BranchStages Stages { get; }

    /// <summary>The head's step outputs, in the order <see cref="Head"/> returns them.</summary>
    public IReadOnlyList<string> OutputNames => _head.OutputNames;

    /// <summary>
    /// Runs the backbone over <paramref name="count"/> segments of <paramref name="units"/> units each in
    /// <paramref name="data"/>; returns the features [count, steps, width] in a pooled array the caller returns.
    /// </summary>
    public float[] Features(Memory<float> data, int count, int units, out int steps, CancellationToken cancellationToken)
    {
        var width = Stages.FeatureWidth;
        if (!Stages.PerFrame)
        {
            using var outputs = _backbone.Run([new OnnxInput(Stages.BackboneInput, data, [count, units])], cancellationToken);
            var values = OnnxRunner.StepOutput(outputs[0], Stages.BackboneOutput, count, width, out steps);
            var features = ArrayPool<float>.Shared.Rent(Math.Max(1, values.Length));
            values.CopyTo(features);
            return features;
        }

        steps = units;
        var rows = count * units;
        var frameFloats = (int)(Stages.FrameShape[0] * Stages.FrameShape[1] * Stages.FrameShape[2]);
        var result = ArrayPool<float>.Shared.Rent(Math.Max(1, rows * width));
        var perCall = Stages.FrameByFrame ? 1 : rows;
        for (var row = 0; row < rows; row += perCall)
        {
            var frames = data.Slice(row * frameFloats, perCall * frameFloats);
            long[] shape = [perCall, .. Stages.FrameShape];
            float[]? prepared = null;
            try
            {
                if (_preprocess is not null)
                {
                    using var pre = _preprocess.Run([new OnnxInput(Stages.BackboneInput, frames, shape)], cancellationToken);
                    var span = pre[0].GetTensorDataAsSpan<float>();
                    prepared = ArrayPool<float>.Shared.Rent(span.Length);
                    span.CopyTo(prepared);
                    frames = prepared.AsMemory(0, span.Length);
                }

                var name = Stages.PreprocessInput ?? Stages.BackboneInput;
                using var outputs = _backbone.Run([new OnnxInput(name, frames, shape)], cancellationToken);
                var values = FrameFeatures(outputs[0], perCall, width);
                values.CopyTo(result.AsSpan(row * width, perCall * width));
            }
            finally
            {
                if (prepared is not null)
                {
                    ArrayPool<float>.Shared.Return(prepared);
                }
            }
        }

        return result;
    }

    /// <summary>Runs the head over features [count, steps, width] (and the visual branch's action units [count, steps, A]).</summary>
    public IDisposableReadOnlyCollection<OrtValue> Head(Memory<float> features, Memory<float> aus, int count, int steps, int auWidth, CancellationToken cancellationToken)
    {
        var input = new OnnxInput(Stages.HeadFeatures, features, [count, steps, Stages.FeatureWidth]);
        return Stages.HeadAus is { } ausName
            ? _head.Run([input, new OnnxInput(ausName, aus, [count, steps, auWidth])], cancellationToken)
            : _head.Run([input], cancellationToken);
    }

    /// <summary>[rows, width] or [rows, width, 1, 1] (a pooled CNN's output) as rows × width values.</summary>
    private static ReadOnlySpan<float> FrameFeatures(OrtValue output, int rows, int width)
    {
        var info = output.GetTensorTypeAndShape();
        var shape = info.Shape;
        var fits = info.ElementDataType == TensorElementType.Float && shape.Length >= 2 && shape[0] == rows && shape[1] == width
                   && shape.Skip(2).All(d => d == 1);
        if (!fits)
        {
            throw new InvalidDataException($"The visual backbone gave {info.ElementDataType} [{string.Join(", ", shape)}]; expected float [{rows}, {width}] (or [{rows}, {width}, 1, 1]).");
        }

        return output.GetTensorDataAsSpan<float>();
    }

    public void Dispose()
    {
        _backbone.Dispose();
        _preprocess?.Dispose();
        _head.Dispose();
    }
}
