using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace EmiPlatform.Inference.Onnx;

/// <summary>
/// Runs one <see cref="OnnxModel"/> for one caller through an <see cref="OrtIoBinding"/>: inputs are bound over
/// the caller's pinned buffers (on CUDA, binding copies them to the device before the run), the requested outputs
/// come back in CPU memory ONNX Runtime allocates for each run, and the binding and its run options are reused from
/// run to run. Neither the binding nor the run options are thread-safe, hence one runner per concurrent caller.
/// </summary>
public sealed class OnnxRunner : IDisposable
{
    private readonly OnnxModel _model;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _outputNames;

    internal OnnxRunner(OnnxModel model, IReadOnlyList<string> outputNames)
    {
        _model = model;
        _outputNames = [.. outputNames];
        foreach (var name in _outputNames)
        {
            if (!model.Session.OutputMetadata.ContainsKey(name))
            {
                throw new ArgumentException(
                    $"'{name}' is not an output of {Path.GetFileName(model.ModelPath)} (it has {string.Join(", ", model.Session.OutputNames)}).", nameof(outputNames));
            }
        }

        _binding = model.Session.CreateIoBinding();
    }

    public OnnxModel Model => _model;

    /// <summary>The outputs <see cref="Run"/> returns, in this order.</summary>
    public IReadOnlyList<string> OutputNames => _outputNames;

    /// <summary>
    /// Runs the model and returns the outputs in the order they were named; the caller disposes them. Cancellation
    /// sets ONNX Runtime's terminate flag, which stops the run between operators.
    /// </summary>
    public IDisposableReadOnlyCollection<OrtValue> Run(ReadOnlySpan<OnnxInput> inputs, CancellationToken cancellationToken = default)
    {
        var values = new OrtValue[inputs.Length];
        _runOptions.Terminate = false;
        using var registration = cancellationToken.UnsafeRegister(static state => ((RunOptions)state!).Terminate = true, _runOptions);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var i = 0; i < inputs.Length; i++)
            {
                var input = inputs[i];
                long expected = 1;
                foreach (var d in input.Shape)
                {
                    expected *= d;
                }

                if (expected != input.Data.Length)
                {
                    throw new ArgumentException($"Input '{input.Name}' has {input.Data.Length} values but shape [{string.Join(", ", input.Shape)}] needs {expected}.", nameof(inputs));
                }

                values[i] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input.Data, input.Shape);
                _binding.BindInput(input.Name, values[i]);
            }

            // Bound afresh for every run: after a run the binding holds that run's outputs, and ONNX Runtime would
            // write the next run into them, which fails as soon as the output length changes.
            _binding.ClearBoundOutputs();
            foreach (var name in _outputNames)
            {
                _binding.BindOutputToDevice(name, OrtMemoryInfo.DefaultInstance);
            }

            _binding.SynchronizeBoundInputs();
            _model.Session.RunWithBinding(_runOptions, _binding);
            _binding.SynchronizeBoundOutputs();
            return _binding.GetOutputValues();
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        finally
        {
            // The binding must not keep pointing at buffers that go back to the pool.
            _binding.ClearBoundInputs();
            foreach (var value in values)
            {
                value?.Dispose();
            }
        }
    }

    /// <summary>Shape of an output as [batch, steps, channels] checked against what the caller expects.</summary>
    public static ReadOnlySpan<float> StepOutput(OrtValue output, string name, int batch, int channels, out int steps)
    {
        var info = output.GetTensorTypeAndShape();
        var shape = info.Shape;
        if (info.ElementDataType != TensorElementType.Float || shape.Length != 3 || shape[0] != batch || shape[2] != channels)
        {
            throw new InvalidDataException(
                $"Output '{name}' is {info.ElementDataType} [{string.Join(", ", shape)}]; expected float [{batch}, steps, {channels}].");
        }

        steps = (int)shape[1];
        return output.GetTensorDataAsSpan<float>();
    }

    public void Dispose()
    {
        _binding.Dispose();
        _runOptions.Dispose();
    }
}
