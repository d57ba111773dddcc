using EmiPlatform.Inference;
using EmiPlatform.Inference.Onnx;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Scoring.Hosting;

/// <summary>GPUs this process may use for scoring: none unless the CPU provider is not forced and the NVIDIA driver lists some.</summary>
public sealed class GpuInventory(IOptions<InferenceOptions> inference)
{
    public int Count { get; } = inference.Value.ExecutionProvider == ExecutionProvider.Cpu ? 0 : CountNvidia();

    private static int CountNvidia()
    {
        const string driver = "/proc/driver/nvidia/gpus";
        return Directory.Exists(driver) ? Directory.GetDirectories(driver).Length : 0;
    }
}
