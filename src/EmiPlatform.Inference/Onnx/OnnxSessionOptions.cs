using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace EmiPlatform.Inference.Onnx;

/// <summary>How sessions are created: provider, threads, graph optimisation, memory, and the CUDA provider's options.</summary>
public sealed record OnnxSessionOptions
{
    public ExecutionProvider ExecutionProvider { get; init; } = ExecutionProvider.Auto;

    /// <summary>Threads inside one operator; 0 lets ONNX Runtime choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    public GraphOptimizationLevel GraphOptimization { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>
    /// ONNX Runtime's CPU arena keeps the largest activations it ever allocated; with it on, every session uses the
    /// one arena of <see cref="OnnxEnvironment"/>. Off, activations are freed after each run.
    /// </summary>
    public bool CpuMemoryArena { get; init; } = true;

    /// <summary>
    /// Memory-pattern planning pre-allocates one block per input shape for the whole run; off by default because
    /// with 12 s segments of the base models it raised peak memory by ~200 MB at no measurable speed gain.
    /// </summary>
    public bool MemoryPattern { get; init; }

    /// <summary>
    /// Pre-packed GEMM weights are kept beside the originals (~200 MB more for the base audio model) for no
    /// measurable speed gain on our segment sizes, so pre-packing is off by default (docs/inference.md).
    /// </summary>
    public bool WeightPrepacking { get; init; }

    /// <summary>Extra session configuration entries (onnxruntime_session_options_config_keys.h).</summary>
    public IReadOnlyDictionary<string, string> ConfigEntries { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// CUDA devices the scoring slots spread over (each recording runs on one of them); empty: every GPU the NVIDIA
    /// driver lists, or device 0 when it lists none.
    /// </summary>
    public IReadOnlyList<int> CudaDevices { get; init; } = [];

    /// <summary>Bytes the CUDA arena of one device may hold; 0: no limit beyond the device's memory.</summary>
    public long GpuMemoryLimitBytes { get; init; }

    /// <summary>The devices <see cref="CudaDevices"/> resolves to on this machine.</summary>
    public IReadOnlyList<int> ResolveCudaDevices()
    {
        if (CudaDevices.Count > 0)
        {
            return CudaDevices;
        }

        const string driverGpus = "/proc/driver/nvidia/gpus";
        var listed = Directory.Exists(driverGpus) ? Directory.GetDirectories(driverGpus).Length : 0;
        return Enumerable.Range(0, Math.Max(1, listed)).ToArray();
    }

    /// <summary>
    /// The CUDA provider's options for one device (names as in ONNX Runtime's CUDA provider documentation):
    /// an arena that grows by what is requested (segment lengths vary, and power-of-two growth would reserve up to
    /// twice the largest activation), cuDNN's heuristic convolution algorithm choice (an exhaustive search runs again
    /// for every new input shape, and the last segment of every recording has a new one), copies on the compute
    /// stream, and the memory limit when one is set.
    /// </summary>
    public Dictionary<string, string> CudaProviderOptions(int deviceId)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["device_id"] = deviceId.ToString(CultureInfo.InvariantCulture),
            ["arena_extend_strategy"] = "kSameAsRequested",
            ["cudnn_conv_algo_search"] = "HEURISTIC",
            ["do_copy_in_default_stream"] = "1",
        };
        if (GpuMemoryLimitBytes > 0)
        {
            options["gpu_mem_limit"] = GpuMemoryLimitBytes.ToString(CultureInfo.InvariantCulture);
        }

        return options;
    }

    /// <summary>The session configuration entries the engine sets for a provider, before <see cref="ConfigEntries"/>.</summary>
    public Dictionary<string, string> SessionConfigEntries(bool cuda)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        if (CpuMemoryArena)
        {
            entries["session.use_env_allocators"] = "1";
        }

        if (!WeightPrepacking)
        {
            entries["session.disable_prepacking"] = "1";
        }

        if (cuda)
        {
            // A node the CUDA provider cannot run would otherwise move to the CPU without a word, with a copy each
            // way per run; session creation fails instead and says which node.
            entries["session.disable_cpu_ep_fallback"] = "1";
        }

        foreach (var (key, value) in ConfigEntries)
        {
            entries[key] = value;
        }

        return entries;
    }
}
