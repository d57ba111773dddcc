using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;

namespace EmiPlatform.Inference.Onnx;

/// <summary>
/// One ONNX Runtime inference session. <see cref="Run"/> is safe to call from several threads at once (ONNX
/// Runtime's <c>Run</c> is thread-safe); disposing while a run is in flight is not.
/// </summary>
public sealed unsafe partial class OnnxSession : IDisposable
{
    public const string CpuProvider = "CPUExecutionProvider";
    public const string CudaProvider = "CUDAExecutionProvider";

    private readonly OnnxRuntime _runtime;
    private readonly OrtHandle _session;
    private readonly Dictionary<string, byte[]> _utf8Names = new(StringComparer.Ordinal);

    private OnnxSession(OnnxRuntime runtime, OrtHandle session, string modelPath, string provider)
    {
        _runtime = runtime;
        _session = session;
        ModelPath = modelPath;
        ExecutionProvider = provider;
        Inputs = ReadSignature(isInput: true);
        Outputs = ReadSignature(isInput: false);
        foreach (var info in Inputs.Concat(Outputs))
        {
            _utf8Names[info.Name] = NullTerminated(info.Name);
        }
    }

    public string ModelPath { get; }

    /// <summary>The provider the session runs on: <see cref="CpuProvider"/> or <see cref="CudaProvider"/>.</summary>
    public string ExecutionProvider { get; }

    public IReadOnlyList<OnnxTensorInfo> Inputs { get; }

    public IReadOnlyList<OnnxTensorInfo> Outputs { get; }

    internal static OnnxSession Create(OnnxRuntime runtime, string modelPath, OnnxSessionOptions options, ILogger logger)
    {
        if (!File.Exists(modelPath))
        {
            throw new OnnxRuntimeException($"Model file not found: '{modelPath}'.", OrtErrorCode.NoSuchFile);
        }

        var wantCuda = options.ExecutionProvider switch
        {
            Onnx.ExecutionProvider.Cpu => false,
            Onnx.ExecutionProvider.Cuda => true,
            _ => runtime.CudaProviderLibraryPresent,
        };

        if (wantCuda)
        {
            try
            {
                var session = Open(runtime, modelPath, options, useCuda: true);
                LogProvider(logger, modelPath, CudaProvider, null);
                return new OnnxSession(runtime, session, modelPath, CudaProvider);
            }
            catch (OnnxRuntimeException ex) when (options.ExecutionProvider == Onnx.ExecutionProvider.Auto)
            {
                LogProvider(logger, modelPath, CpuProvider, ex.Message);
            }
        }
        else if (options.ExecutionProvider == Onnx.ExecutionProvider.Auto)
        {
            LogProvider(logger, modelPath, CpuProvider, "no CUDA provider library beside the ONNX Runtime library");
        }
        else
        {
            LogProvider(logger, modelPath, CpuProvider, null);
        }

        return new OnnxSession(runtime, Open(runtime, modelPath, options, useCuda: false), modelPath, CpuProvider);
    }

    private static void LogProvider(ILogger logger, string modelPath, string provider, string? fallbackReason)
    {
        if (fallbackReason is null)
        {
            LogSessionProvider(logger, Path.GetFileName(modelPath), provider);
        }
        else
        {
            LogSessionFallback(logger, Path.GetFileName(modelPath), provider, fallbackReason);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ONNX session for {Model} runs on {Provider}")]
    private static partial void LogSessionProvider(ILogger logger, string model, string provider);

    [LoggerMessage(Level = LogLevel.Information, Message = "ONNX session for {Model} runs on {Provider} (CUDA not used: {Reason})")]
    private static partial void LogSessionFallback(ILogger logger, string model, string provider, string reason);

    private static OrtHandle Open(OnnxRuntime runtime, string modelPath, OnnxSessionOptions options, bool useCuda)
    {
        var api = runtime.Api;
        nint rawOptions;
        api.Check(api.CreateSessionOptions(&rawOptions));
        using var sessionOptions = new OrtHandle(rawOptions, api.ReleaseSessionOptions);

        api.Check(api.SetSessionGraphOptimizationLevel(rawOptions, (int)options.GraphOptimization));
        if (options.IntraOpThreads > 0)
        {
            api.Check(api.SetIntraOpNumThreads(rawOptions, options.IntraOpThreads));
        }

        // Sequential execution: inter-op parallelism only adds threads that fight the intra-op pool for cores.
        api.Check(api.SetInterOpNumThreads(rawOptions, 1));
        if (!options.CpuMemoryArena)
        {
            api.Check(api.DisableCpuMemArena(rawOptions));
        }
        else
        {
            // The process-wide arena registered by OnnxRuntime, shared with the other sessions.
            AddConfig(api, rawOptions, "session.use_env_allocators", "1");
        }

        if (!options.MemoryPattern)
        {
            api.Check(api.DisableMemPattern(rawOptions));
        }

        if (!options.WeightPrepacking)
        {
            AddConfig(api, rawOptions, "session.disable_prepacking", "1");
        }

        foreach (var (key, value) in options.ConfigEntries)
        {
            AddConfig(api, rawOptions, key, value);
        }

        if (useCuda)
        {
            AppendCuda(api, rawOptions, options.CudaDeviceId);
        }

        nint session;
        var pathBytes = NullTerminated(Path.GetFullPath(modelPath));
        fixed (byte* path = pathBytes)
        {
            api.Check(api.CreateSession(runtime.Env.DangerousGetHandle(), path, rawOptions, &session));
        }

        GC.KeepAlive(runtime.Env);
        return new OrtHandle(session, api.ReleaseSession);
    }

    private static void AddConfig(OrtApi api, nint sessionOptions, string key, string value)
    {
        fixed (byte* k = NullTerminated(key))
        fixed (byte* v = NullTerminated(value))
        {
            api.Check(api.AddSessionConfigEntry(sessionOptions, k, v));
        }
    }

    private static void AppendCuda(OrtApi api, nint sessionOptions, int deviceId)
    {
        nint cudaOptions;
        api.Check(api.CreateCUDAProviderOptions(&cudaOptions));
        using var handle = new OrtHandle(cudaOptions, api.ReleaseCUDAProviderOptions);
        var key = NullTerminated("device_id");
        var value = NullTerminated(deviceId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            var keys = stackalloc byte*[1] { k };
            var values = stackalloc byte*[1] { v };
            api.Check(api.UpdateCUDAProviderOptions(cudaOptions, keys, values, 1));
        }

        api.Check(api.SessionOptionsAppendExecutionProvider_CUDA_V2(sessionOptions, cudaOptions));
    }

    /// <summary>
    /// Runs the model on float32 inputs and returns the requested outputs (all outputs when none are named).
    /// Cancellation sets ONNX Runtime's terminate flag, which makes the run stop between operators.
    /// </summary>
    public IReadOnlyList<OnnxOutput> Run(IReadOnlyList<OnnxInput> inputs, IReadOnlyList<string>? outputNames = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_session.IsClosed, this);
        cancellationToken.ThrowIfCancellationRequested();
        var api = _runtime.Api;
        var names = outputNames ?? Outputs.Select(o => o.Name).ToArray();

        var inputCount = inputs.Count;
        var pins = new MemoryHandle[inputCount];
        var nameHandles = new GCHandle[inputCount + names.Count];
        var values = new OrtHandle?[inputCount];
        var inputValues = stackalloc nint[Math.Max(inputCount, 1)];
        var inputNames = stackalloc byte*[Math.Max(inputCount, 1)];
        var outputNamePtrs = stackalloc byte*[Math.Max(names.Count, 1)];
        var outputValues = stackalloc nint[Math.Max(names.Count, 1)];
        for (var i = 0; i < names.Count; i++)
        {
            outputValues[i] = 0;
        }

        nint createdRunOptions;
        api.Check(api.CreateRunOptions(&createdRunOptions));
        var rawRunOptions = createdRunOptions;
        using var runOptions = new OrtHandle(createdRunOptions, api.ReleaseRunOptions);
        using var cancelRegistration = cancellationToken.Register(() =>
        {
            // The run options outlive this registration (disposed after it), so the pointer is valid here.
            var status = api.RunOptionsSetTerminate(rawRunOptions);
            if (status != 0)
            {
                api.ReleaseStatus(status);
            }
        });

        try
        {
            for (var i = 0; i < inputCount; i++)
            {
                var input = inputs[i];
                long expected = 1;
                foreach (var d in input.Shape)
                {
                    expected *= d;
                }

                if (expected != input.Data.Length)
                {
                    throw new OnnxRuntimeException(
                        $"Input '{input.Name}' has {input.Data.Length} values but shape [{string.Join(", ", input.Shape)}] needs {expected}.",
                        OrtErrorCode.InvalidArgument);
                }

                pins[i] = input.Data.Pin();
                nameHandles[i] = GCHandle.Alloc(Utf8Name(input.Name), GCHandleType.Pinned);
                inputNames[i] = (byte*)nameHandles[i].AddrOfPinnedObject();

                nint value;
                fixed (long* shape = input.Shape)
                {
                    api.Check(api.CreateTensorWithDataAsOrtValue(
                        _runtime.CpuMemoryInfo.DangerousGetHandle(),
                        pins[i].Pointer,
                        (nuint)(input.Data.Length * sizeof(float)),
                        shape,
                        (nuint)input.Shape.Length,
                        (int)TensorElementType.Float,
                        &value));
                }

                values[i] = new OrtHandle(value, api.ReleaseValue);
                inputValues[i] = value;
            }

            for (var i = 0; i < names.Count; i++)
            {
                nameHandles[inputCount + i] = GCHandle.Alloc(Utf8Name(names[i]), GCHandleType.Pinned);
                outputNamePtrs[i] = (byte*)nameHandles[inputCount + i].AddrOfPinnedObject();
            }

            var status = api.Run(
                _session.DangerousGetHandle(), rawRunOptions,
                inputNames, inputValues, (nuint)inputCount,
                outputNamePtrs, (nuint)names.Count, outputValues);
            if (status != 0 && cancellationToken.IsCancellationRequested)
            {
                api.ReleaseStatus(status);
                throw new OperationCanceledException(cancellationToken);
            }

            api.Check(status);

            var results = new OnnxOutput[names.Count];
            for (var i = 0; i < names.Count; i++)
            {
                using var output = new OrtHandle(outputValues[i], api.ReleaseValue);
                outputValues[i] = 0;
                results[i] = ReadFloatTensor(names[i], output.DangerousGetHandle());
            }

            return results;
        }
        finally
        {
            for (var i = 0; i < names.Count; i++)
            {
                if (outputValues[i] != 0)
                {
                    api.ReleaseValue(outputValues[i]);
                }
            }

            foreach (var value in values)
            {
                value?.Dispose();
            }

            foreach (var pin in pins)
            {
                pin.Dispose();
            }

            foreach (var handle in nameHandles)
            {
                if (handle.IsAllocated)
                {
                    handle.Free();
                }
            }

            GC.KeepAlive(_session);
        }
    }

    private OnnxOutput ReadFloatTensor(string name, nint value)
    {
        var api = _runtime.Api;
        nint rawInfo;
        api.Check(api.GetTensorTypeAndShape(value, &rawInfo));
        using var info = new OrtHandle(rawInfo, api.ReleaseTensorTypeAndShapeInfo);
        var (elementType, shape, _) = ReadShape(api, rawInfo);
        if (elementType != TensorElementType.Float)
        {
            throw new OnnxRuntimeException($"Output '{name}' is {elementType}; the engine reads float32 outputs only.", OrtErrorCode.InvalidArgument);
        }

        long count = 1;
        foreach (var d in shape)
        {
            count *= d;
        }

        void* data;
        api.Check(api.GetTensorMutableData(value, &data));
        var result = new float[count];
        new ReadOnlySpan<float>(data, checked((int)count)).CopyTo(result);
        return new OnnxOutput(name, result, shape);
    }

    private byte[] Utf8Name(string name) =>
        _utf8Names.TryGetValue(name, out var bytes)
            ? bytes
            : throw new OnnxRuntimeException(
                $"'{name}' is not an input or output of {Path.GetFileName(ModelPath)} (it has {string.Join(", ", Inputs.Concat(Outputs).Select(i => i.Name))}).",
                OrtErrorCode.InvalidArgument);

    private OnnxTensorInfo[] ReadSignature(bool isInput)
    {
        var api = _runtime.Api;
        var session = _session.DangerousGetHandle();
        nuint count;
        api.Check(isInput ? api.SessionGetInputCount(session, &count) : api.SessionGetOutputCount(session, &count));
        var result = new OnnxTensorInfo[(int)count];
        for (nuint i = 0; i < count; i++)
        {
            byte* rawName;
            api.Check(isInput
                ? api.SessionGetInputName(session, i, _runtime.DefaultAllocator, &rawName)
                : api.SessionGetOutputName(session, i, _runtime.DefaultAllocator, &rawName));
            string name;
            try
            {
                name = Marshal.PtrToStringUTF8((nint)rawName) ?? string.Empty;
            }
            finally
            {
                api.Check(api.AllocatorFree(_runtime.DefaultAllocator, rawName));
            }

            nint rawTypeInfo;
            api.Check(isInput
                ? api.SessionGetInputTypeInfo(session, i, &rawTypeInfo)
                : api.SessionGetOutputTypeInfo(session, i, &rawTypeInfo));
            using var typeInfo = new OrtHandle(rawTypeInfo, api.ReleaseTypeInfo);

            // The tensor info belongs to the type info; it must not be released on its own.
            nint tensorInfo;
            api.Check(api.CastTypeInfoToTensorInfo(rawTypeInfo, &tensorInfo));
            if (tensorInfo == 0)
            {
                result[(int)i] = new OnnxTensorInfo(name, TensorElementType.Undefined, [], []);
                continue;
            }

            var (elementType, shape, symbolic) = ReadShape(api, tensorInfo);
            result[(int)i] = new OnnxTensorInfo(name, elementType, shape, symbolic);
        }

        GC.KeepAlive(_session);
        return result;
    }

    private static (TensorElementType Type, long[] Shape, string[] Symbolic) ReadShape(OrtApi api, nint tensorInfo)
    {
        int elementType;
        api.Check(api.GetTensorElementType(tensorInfo, &elementType));
        nuint rank;
        api.Check(api.GetDimensionsCount(tensorInfo, &rank));
        var shape = new long[(int)rank];
        var symbolic = new string[(int)rank];
        if (rank > 0)
        {
            fixed (long* dims = shape)
            {
                api.Check(api.GetDimensions(tensorInfo, dims, rank));
            }

            var names = stackalloc byte*[(int)rank];
            api.Check(api.GetSymbolicDimensions(tensorInfo, names, rank));
            for (var d = 0; d < (int)rank; d++)
            {
                symbolic[d] = names[d] == null ? string.Empty : Marshal.PtrToStringUTF8((nint)names[d]) ?? string.Empty;
            }
        }

        return ((TensorElementType)elementType, shape, symbolic);
    }

    private static byte[] NullTerminated(string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }

    public void Dispose() => _session.Dispose();
}
