using EmiPlatform.Media;
using Microsoft.ML.OnnxRuntime;

namespace EmiPlatform.Inference.Onnx;

/// <summary>
/// One ONNX model loaded into an <see cref="InferenceSession"/> on one device. The session is shared by every
/// thread that scores with it (ONNX Runtime's Run is thread-safe); each caller runs it through its own
/// <see cref="OnnxRunner"/>.
/// </summary>
public sealed class OnnxModel : IDisposable
{
    public const string CpuProvider = "CPUExecutionProvider";
    public const string CudaProvider = "CUDAExecutionProvider";

    private OnnxModel(InferenceSession session, string modelPath, int? cudaDevice)
    {
        Session = session;
        ModelPath = modelPath;
        CudaDevice = cudaDevice;
    }

    public InferenceSession Session { get; }

    public string ModelPath { get; }

    /// <summary>The CUDA device the session runs on; null on the CPU.</summary>
    public int? CudaDevice { get; }

    /// <summary><see cref="CpuProvider"/> or <see cref="CudaProvider"/>.</summary>
    public string ExecutionProvider => CudaDevice is null ? CpuProvider : CudaProvider;

    /// <summary>"cpu" or "cuda:N".</summary>
    public string Device => CudaDevice is { } d ? $"cuda:{d}" : "cpu";

    /// <summary>
    /// Loads a model on the CPU (<paramref name="cudaDevice"/> null) or on a CUDA device. On CUDA a failure that
    /// the CPU does not share becomes a <see cref="CudaUnavailableException"/> naming what is missing; a model that
    /// does not load anywhere keeps ONNX Runtime's own exception.
    /// </summary>
    public static OnnxModel Open(string modelPath, OnnxSessionOptions options, int? cudaDevice = null)
    {
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"Model file not found: '{modelPath}'.", modelPath);
        }

        if (cudaDevice is not { } device)
        {
            return new OnnxModel(BackgroundPriority.Run(() => CreateSession(modelPath, options, null)), modelPath, null);
        }

        try
        {
            return new OnnxModel(
                BackgroundPriority.Run(() => OnnxEnvironment.CaptureErrors(() => CreateSession(modelPath, options, device))), modelPath, device);
        }
        catch (OnnxRuntimeException ex)
        {
            // Tell a model ONNX Runtime cannot read from a CUDA provider that cannot run: only the latter loads on the CPU.
            using (var cpuOptions = BuildOptions(options, null))
            using (new InferenceSession(modelPath, cpuOptions))
            {
            }

            throw new CudaUnavailableException(CudaUnavailableException.Describe(ex, OnnxEnvironment.LoggedErrors(ex)), ex);
        }
        catch (EntryPointNotFoundException ex)
        {
            throw new CudaUnavailableException(
                "CUDA cannot be used: the ONNX Runtime native library in this build has no CUDA provider (a CPU-only onnxruntime package is in the output folder).", ex);
        }
    }

    /// <summary>Loads an ONNX model held in memory (the CUDA probe) on a device; failures as in <see cref="Open"/>.</summary>
    internal static OnnxModel Open(byte[] model, string name, OnnxSessionOptions options, int cudaDevice)
    {
        try
        {
            return new OnnxModel(OnnxEnvironment.CaptureErrors(() =>
            {
                using var sessionOptions = BuildOptions(options, cudaDevice);
                return new InferenceSession(model, sessionOptions);
            }), name, cudaDevice);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new CudaUnavailableException(CudaUnavailableException.Describe(ex, OnnxEnvironment.LoggedErrors(ex)), ex);
        }
        catch (EntryPointNotFoundException ex)
        {
            throw new CudaUnavailableException(
                "CUDA cannot be used: the ONNX Runtime native library in this build has no CUDA provider (a CPU-only onnxruntime package is in the output folder).", ex);
        }
    }

    // Created on a thread at background priority: the session's intra-op threads start now and inherit it.
    private static InferenceSession CreateSession(string modelPath, OnnxSessionOptions options, int? cudaDevice)
    {
        using var sessionOptions = BuildOptions(options, cudaDevice);
        return new InferenceSession(modelPath, sessionOptions);
    }

    private static SessionOptions BuildOptions(OnnxSessionOptions options, int? cudaDevice)
    {
        _ = OnnxEnvironment.Instance;
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = options.GraphOptimization,
            // Sequential execution: inter-op parallelism only adds threads that fight the intra-op pool for cores.
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            InterOpNumThreads = 1,
            EnableCpuMemArena = options.CpuMemoryArena,
            EnableMemoryPattern = options.MemoryPattern,
            // ONNX Runtime's graph warnings (unused initializers the TF.js conversion leaves) go to stderr on every
            // session and mean nothing to a lab; its errors still surface as exceptions.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try
        {
            if (options.IntraOpThreads > 0)
            {
                sessionOptions.IntraOpNumThreads = options.IntraOpThreads;
            }

            foreach (var (key, value) in options.SessionConfigEntries(cuda: cudaDevice is not null))
            {
                sessionOptions.AddSessionConfigEntry(key, value);
            }

            if (cudaDevice is { } device)
            {
                using var cuda = new OrtCUDAProviderOptions();
                cuda.UpdateOptions(options.CudaProviderOptions(device));
                sessionOptions.AppendExecutionProvider_CUDA(cuda);
            }

            return sessionOptions;
        }
        catch
        {
            sessionOptions.Dispose();
            throw;
        }
    }

    /// <summary>A runner for the named outputs; not thread-safe, so one per concurrent caller.</summary>
    public OnnxRunner CreateRunner(IReadOnlyList<string> outputNames) => new(this, outputNames);

    public void Dispose() => Session.Dispose();
}
