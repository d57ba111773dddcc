using Microsoft.Extensions.Logging;

namespace EmiPlatform.Inference.Onnx;

/// <summary>
/// Where this process runs its models, decided once when the scoring pipeline is created: on the CPU, or on CUDA
/// devices after a small probe graph (a convolution and a matrix product, <c>cuda-probe.onnx</c>) has loaded and
/// run on each of them, so that a missing library, driver or device shows at start rather than in the first job.
/// </summary>
public sealed partial class InferencePlacement(IReadOnlyList<int> cudaDevices, string? cpuReason)
{
    public static InferencePlacement Cpu { get; } = new([], null);

    /// <summary>The CUDA devices models run on; empty on the CPU.</summary>
    public IReadOnlyList<int> CudaDevices { get; } = cudaDevices;

    /// <summary>Why <c>auto</c> runs on the CPU (the probe's sentence); null when CUDA is used or the CPU was asked for.</summary>
    public string? CpuReason { get; } = cpuReason;

    public bool UsesCuda => CudaDevices.Count > 0;

    /// <summary><see cref="OnnxModel.CudaProvider"/> or <see cref="OnnxModel.CpuProvider"/>.</summary>
    public string ExecutionProvider => UsesCuda ? OnnxModel.CudaProvider : OnnxModel.CpuProvider;

    /// <summary>"cuda:0,cuda:1" or "cpu".</summary>
    public string Devices => UsesCuda ? string.Join(",", CudaDevices.Select(d => $"cuda:{d}")) : "cpu";

    /// <summary>
    /// <c>cpu</c>: the CPU. <c>cuda</c>: every configured device or a <see cref="CudaUnavailableException"/>.
    /// <c>auto</c>: the same devices, or the CPU with the reason, logged once.
    /// </summary>
    public static InferencePlacement Resolve(OnnxSessionOptions options, ILogger logger)
    {
        if (options.ExecutionProvider == Onnx.ExecutionProvider.Cpu)
        {
            return Cpu;
        }

        var devices = options.ResolveCudaDevices();
        try
        {
            foreach (var device in devices)
            {
                Probe(options, device);
            }
        }
        catch (CudaUnavailableException ex) when (options.ExecutionProvider == Onnx.ExecutionProvider.Auto)
        {
            LogCpuFallback(logger, ex.Message);
            return new InferencePlacement([], ex.Message);
        }

        LogCuda(logger, string.Join(",", devices));
        return new InferencePlacement(devices, null);
    }

    private static void Probe(OnnxSessionOptions options, int device)
    {
        using var model = OnnxModel.Open(ProbeModel.Value, "cuda-probe.onnx", options, device);
        using var runner = model.CreateRunner(["y"]);
        try
        {
            using var outputs = runner.Run([new OnnxInput("x", new float[32], [1, 4, 8])]);
        }
        catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException ex)
        {
            // cuDNN and NVRTC are loaded on first use, so this is where their absence shows.
            throw new CudaUnavailableException(CudaUnavailableException.Describe(ex, []), ex);
        }
    }

    private static readonly Lazy<byte[]> ProbeModel = new(() =>
    {
        using var stream = typeof(InferencePlacement).Assembly.GetManifestResourceStream("cuda-probe.onnx")
            ?? throw new InvalidOperationException("cuda-probe.onnx is not embedded in the inference assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    [LoggerMessage(Level = LogLevel.Information, Message = "ONNX Runtime runs on CUDA device(s) {Devices}")]
    private static partial void LogCuda(ILogger logger, string devices);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ONNX Runtime runs on the CPU: {Reason}")]
    private static partial void LogCpuFallback(ILogger logger, string reason);

    public override string ToString() => UsesCuda ? $"CUDA on {Devices}" : CpuReason is null ? "CPU" : $"CPU ({CpuReason})";
}
