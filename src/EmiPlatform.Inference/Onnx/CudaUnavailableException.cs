using System.Text.RegularExpressions;

namespace EmiPlatform.Inference.Onnx;

/// <summary>
/// CUDA was asked for and cannot run here. The message is one sentence naming what is missing, taken from ONNX
/// Runtime's own error (the exception, or what it logged while the provider was being set up); the original
/// error is the inner exception.
/// </summary>
public sealed partial class CudaUnavailableException : Exception
{
    public CudaUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>The sentence for an error ONNX Runtime raised while setting up or running the CUDA provider.</summary>
    public static string Describe(Exception error, IEnumerable<string> loggedErrors)
    {
        // The logged line, when there is one, is the specific one ("... with error: libcublasLt.so.13: cannot open
        // shared object file"); the exception may only say "Failed to load shared library".
        var said = loggedErrors.Append(error.Message).Select(Clean).Where(s => s.Length > 0).ToList();
        var what = said.Select(Missing).FirstOrDefault(w => w is not null) ?? "ONNX Runtime's CUDA provider failed";
        var driver = Directory.Exists("/proc/driver/nvidia") ? string.Empty : ", and no NVIDIA kernel driver is loaded (/proc/driver/nvidia is absent)";
        return $"CUDA cannot be used: {what}{driver} (ONNX Runtime: {string.Join(" / ", said.Distinct(StringComparer.Ordinal))}).";
    }

    private static string? Missing(string message)
    {
        if (MissingLibrary().Match(message) is { Success: true } m)
        {
            var library = m.Groups[1].Value;
            return $"{Role(library)} is not installed or not on the loader's path";
        }

        if (message.Contains("no CUDA-capable device", StringComparison.OrdinalIgnoreCase))
        {
            return "no CUDA device is visible to this process";
        }

        if (message.Contains("driver version is insufficient", StringComparison.OrdinalIgnoreCase))
        {
            return "the NVIDIA driver is too old for CUDA 13 (driver >= 580 needed)";
        }

        if (message.Contains("cudnn", StringComparison.OrdinalIgnoreCase))
        {
            return "cuDNN 9 failed";
        }

        if (message.Contains("invalid device ordinal", StringComparison.OrdinalIgnoreCase))
        {
            return "the configured CUDA device does not exist";
        }

        return null;
    }

    private static string Role(string library) => library switch
    {
        _ when library.StartsWith("libcuda.so", StringComparison.Ordinal) => $"the NVIDIA driver library {library} (driver >= 580)",
        _ when library.StartsWith("libcudart", StringComparison.Ordinal) => $"the CUDA 13 runtime {library}",
        _ when library.StartsWith("libcublas", StringComparison.Ordinal) => $"cuBLAS from CUDA 13 ({library})",
        _ when library.StartsWith("libcurand", StringComparison.Ordinal) => $"cuRAND from CUDA 13 ({library})",
        _ when library.StartsWith("libcufft", StringComparison.Ordinal) => $"cuFFT from CUDA 13 ({library})",
        _ when library.StartsWith("libcudnn", StringComparison.Ordinal) => $"cuDNN 9 ({library})",
        _ when library.StartsWith("libnvrtc", StringComparison.Ordinal) => $"NVRTC from CUDA 13 ({library})",
        _ => library,
    };

    // ONNX Runtime prefixes errors with its source location and error code: "/onnxruntime_src/...cc:2043 ... : 1 : FAIL : ".
    private static string Clean(string message)
    {
        var text = message.Trim();
        var fail = text.LastIndexOf(" : FAIL : ", StringComparison.Ordinal);
        if (fail >= 0)
        {
            text = text[(fail + " : FAIL : ".Length)..];
        }

        return ErrorCodePrefix().Replace(text, string.Empty).Trim();
    }

    [GeneratedRegex(@"(lib[\w.+-]*?\.so(?:\.\d+)*): cannot open shared object file")]
    private static partial Regex MissingLibrary();

    [GeneratedRegex(@"^\[ErrorCode:\w+\]\s*")]
    private static partial Regex ErrorCodePrefix();
}
