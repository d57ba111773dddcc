using EmiPlatform.Bundles;
using EmiPlatform.Inference.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace EmiPlatform.Inference.Speech;

/// <summary>
/// Runs a Silero VAD graph (v5 or v6: <c>input [1, N]</c>, <c>state [2, 1, 128]</c>, <c>sr</c> int64 →
/// <c>output [1, 1]</c>, <c>stateN</c>) over a 16 kHz mono stream, one speech probability per 512-sample
/// (32 ms) step. Each step's input is the step preceded by the previous step's last 64 samples (zeros before the
/// first), as Silero's own wrapper (<c>OnnxWrapper.__call__</c>) and npm <c>@ricky0123/vad-web</c> 0.0.31 feed
/// it: the graph was trained on 576-sample windows, and without the context v6 answers ≈ 0 on clear speech
/// (docs/model-bundle.md, "Speech stage"). The recurrent state is carried from step to step.
/// Samples may arrive in chunks of any length (<see cref="Push"/>); the tail of a stream is zero-padded to a
/// whole step by <see cref="Flush"/>, as Silero's <c>get_speech_timestamps</c> pads its last chunk.
/// Every tensor is allocated once, pinned and bound once (<see cref="OrtIoBinding"/>); the state output is written
/// beside the state input and copied over it, so a step allocates nothing. Not thread-safe: one detector
/// per recording; the <see cref="OnnxModel"/> may be shared.
/// </summary>
internal sealed class SileroSpeechDetector : IDisposable
{
    public const int SampleRate = SpeechStage.SampleRate;
    public const int StepSamples = 512;
    public const int ContextSamples = 64;
    public const int StateSize = 2 * 128;

    /// <summary>Seconds between two probabilities (0.032).</summary>
    public const double StepSeconds = StepSamples / (double)SampleRate;

    private const string InputName = "input";
    private const string StateName = "state";
    private const string RateName = "sr";
    private const string OutputName = "output";
    private const string StateOutputName = "stateN";

    private readonly OnnxModel _model;
    private readonly float[] _window = new float[ContextSamples + StepSamples];
    private readonly float[] _state = new float[StateSize];
    private readonly float[] _nextState = new float[StateSize];
    private readonly long[] _rate = [SampleRate];
    private readonly float[] _probability = new float[1];
    private readonly OrtValue[] _values;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new();
    private int _pending;

    public SileroSpeechDetector(OnnxModel model)
    {
        _model = model;
        var session = model.Session;
        foreach (var name in (string[])[InputName, StateName, RateName])
        {
            if (!session.InputMetadata.ContainsKey(name))
            {
                throw new InvalidDataException($"{Path.GetFileName(model.ModelPath)} has no input '{name}'; a Silero VAD v5/v6 graph has input, state and sr.");
            }
        }

        foreach (var name in (string[])[OutputName, StateOutputName])
        {
            if (!session.OutputMetadata.ContainsKey(name))
            {
                throw new InvalidDataException($"{Path.GetFileName(model.ModelPath)} has no output '{name}'; a Silero VAD v5/v6 graph has output and stateN.");
            }
        }

        // v5 and v6 declare sr as a scalar; an export with sr [1] is fed the same value in that shape.
        long[] rateShape = session.InputMetadata[RateName].Dimensions.Length == 0 ? [] : [1];
        var cpu = OrtMemoryInfo.DefaultInstance;
        _values =
        [
            OrtValue.CreateTensorValueFromMemory(cpu, _window.AsMemory(), [1, _window.Length]),
            OrtValue.CreateTensorValueFromMemory(cpu, _state.AsMemory(), [2, 1, 128]),
            OrtValue.CreateTensorValueFromMemory(cpu, _rate.AsMemory(), rateShape),
            OrtValue.CreateTensorValueFromMemory(cpu, _probability.AsMemory(), [1, 1]),
            OrtValue.CreateTensorValueFromMemory(cpu, _nextState.AsMemory(), [2, 1, 128]),
        ];
        _binding = session.CreateIoBinding();
        BindInputs();
        _binding.BindOutput(OutputName, _values[3]);
        _binding.BindOutput(StateOutputName, _values[4]);
    }

    private void BindInputs()
    {
        _binding.BindInput(InputName, _values[0]);
        _binding.BindInput(StateName, _values[1]);
        _binding.BindInput(RateName, _values[2]);
    }

    /// <summary>Probabilities a stream of <paramref name="samples"/> samples gives (its tail padded to a whole step).</summary>
    public static int Steps(long samples) => checked((int)((samples + StepSamples - 1) / StepSamples));

    /// <summary>Starts a new stream: zero state, zero context, nothing pending.</summary>
    public void Reset()
    {
        Array.Clear(_window);
        Array.Clear(_state);
        _pending = 0;
    }

    /// <summary>
    /// Feeds the next samples of the stream and appends the probability of every step they complete; a partial
    /// step waits for the next call (or <see cref="Flush"/>).
    /// </summary>
    public void Push(ReadOnlySpan<float> samples, List<float> probabilities, CancellationToken cancellationToken = default)
    {
        _runOptions.Terminate = false;
        using var registration = cancellationToken.UnsafeRegister(static state => ((RunOptions)state!).Terminate = true, _runOptions);
        while (!samples.IsEmpty)
        {
            var take = Math.Min(StepSamples - _pending, samples.Length);
            samples[..take].CopyTo(_window.AsSpan(ContextSamples + _pending, take));
            _pending += take;
            samples = samples[take..];
            if (_pending == StepSamples)
            {
                probabilities.Add(Step(cancellationToken));
            }
        }
    }

    /// <summary>Ends the stream: a partial step is padded with zeros and its probability appended. Then <see cref="Reset"/>.</summary>
    public void Flush(List<float> probabilities, CancellationToken cancellationToken = default)
    {
        if (_pending > 0)
        {
            _window.AsSpan(ContextSamples + _pending).Clear();
            _runOptions.Terminate = false;
            using var registration = cancellationToken.UnsafeRegister(static state => ((RunOptions)state!).Terminate = true, _runOptions);
            probabilities.Add(Step(cancellationToken));
        }

        Reset();
    }

    /// <summary>The probability of every 32 ms step of a whole stream, from a fresh state.</summary>
    public float[] Detect(ReadOnlySpan<float> samples, CancellationToken cancellationToken = default)
    {
        Reset();
        var probabilities = new List<float>(Steps(samples.Length));
        Push(samples, probabilities, cancellationToken);
        Flush(probabilities, cancellationToken);
        return [.. probabilities];
    }

    private float Step(CancellationToken cancellationToken)
    {
        try
        {
            if (_model.CudaDevice is not null)
            {
                // On CUDA, binding copies CPU inputs to the device then and there; the copy must be of this step.
                // (The graph is small and sequential: the CPU runs it faster, and the engine should open it there.)
                BindInputs();
            }

            _model.Session.RunWithBinding(_runOptions, _binding);
            _binding.SynchronizeBoundOutputs();
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }

        _nextState.CopyTo(_state, 0);
        // The step's last 64 samples are the next step's context.
        _window.AsSpan(StepSamples, ContextSamples).CopyTo(_window);
        _pending = 0;
        return _probability[0];
    }

    public void Dispose()
    {
        _binding.Dispose();
        foreach (var value in _values)
        {
            value.Dispose();
        }

        _runOptions.Dispose();
    }
}
