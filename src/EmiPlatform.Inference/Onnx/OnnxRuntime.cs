using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmiPlatform.Inference.Onnx;

/// <summary>
/// The loaded ONNX Runtime native library and its process-wide environment. ONNX Runtime keeps one environment
/// per process, so this is a process-wide singleton: <see cref="Load"/> returns the same instance for the same
/// library and refuses a second, different library.
/// </summary>
public sealed unsafe class OnnxRuntime
{
    /// <summary>Environment variable the lead's infra exports; the fallback for <c>Inference:OnnxRuntimeLibrary</c>.</summary>
    public const string LibraryEnvironmentVariable = "EMI_ORT_LIBRARY";

    private const int OrtLoggingLevelWarning = 2;
    private const int OrtArenaAllocator = 1;
    private const int OrtMemTypeDefault = 0;

    private static readonly Lock s_gate = new();
    private static OnnxRuntime? s_instance;

    private OnnxRuntime(string libraryPath, OrtApi api)
    {
        LibraryPath = libraryPath;
        Api = api;

        nint env;
        fixed (byte* logId = "emi"u8)
        {
            api.Check(api.CreateEnv(OrtLoggingLevelWarning, logId, &env));
        }

        Env = new OrtHandle(env, api.ReleaseEnv);

        nint memoryInfo;
        api.Check(api.CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &memoryInfo));
        CpuMemoryInfo = new OrtHandle(memoryInfo, api.ReleaseMemoryInfo);

        nint allocator;
        api.Check(api.GetAllocatorWithDefaultOptions(&allocator));
        DefaultAllocator = allocator;

        // One CPU arena for every session of the process (sessions opt in with session.use_env_allocators):
        // per-session arenas each keep their own peak, so two branches would hold the sum of their largest
        // activations. Growing by the requested size instead of the next power of two keeps a 190 MB activation
        // from reserving 256 MB.
        nint arenaCfg;
        api.Check(api.CreateArenaCfg(0, ArenaExtendSameAsRequested, -1, -1, &arenaCfg));
        using (new OrtHandle(arenaCfg, api.ReleaseArenaCfg))
        {
            api.Check(api.CreateAndRegisterAllocator(env, memoryInfo, arenaCfg));
        }
    }

    private const int ArenaExtendSameAsRequested = 1;

    public string LibraryPath { get; }

    /// <summary>The native library's version string, e.g. "1.30.0".</summary>
    public string Version => Api.RuntimeVersion;

    /// <summary>The OrtApi version negotiated with the library.</summary>
    public uint ApiVersion => Api.Version;

    internal OrtApi Api { get; }

    internal OrtHandle Env { get; }

    internal OrtHandle CpuMemoryInfo { get; }

    /// <summary>ONNX Runtime's default CPU allocator: a static object that is never freed.</summary>
    internal nint DefaultAllocator { get; }

    /// <summary>
    /// Resolves the library path: the configured value (<c>Inference:OnnxRuntimeLibrary</c>) when set, else
    /// <c>EMI_ORT_LIBRARY</c>; throws with instructions when neither is set.
    /// </summary>
    public static string ResolveLibraryPath(string? configured)
    {
        var path = string.IsNullOrWhiteSpace(configured)
            ? Environment.GetEnvironmentVariable(LibraryEnvironmentVariable)
            : configured;
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new OnnxRuntimeException(
                "No ONNX Runtime library configured: set Inference:OnnxRuntimeLibrary or EMI_ORT_LIBRARY " +
                "(infra/onnxruntime.sh downloads it and prints the path; infra/up.sh exports it).");
        }

        return Path.GetFullPath(path);
    }

    /// <summary>Loads the library once per process (see the class remarks).</summary>
    public static OnnxRuntime Load(string libraryPath)
    {
        var full = Path.GetFullPath(libraryPath);
        lock (s_gate)
        {
            if (s_instance is not null)
            {
                if (!string.Equals(s_instance.LibraryPath, full, StringComparison.Ordinal))
                {
                    throw new OnnxRuntimeException(
                        $"ONNX Runtime is already loaded from '{s_instance.LibraryPath}'; one process cannot load a second copy from '{full}'.");
                }

                return s_instance;
            }

            s_instance = new OnnxRuntime(full, OrtApi.Load(full));
            return s_instance;
        }
    }

    /// <summary>Execution providers compiled into the library (not a promise that they load on this machine).</summary>
    public IReadOnlyList<string> AvailableProviders
    {
        get
        {
            byte** names;
            int count;
            Api.Check(Api.GetAvailableProviders(&names, &count));
            try
            {
                var result = new string[count];
                for (var i = 0; i < count; i++)
                {
                    result[i] = Marshal.PtrToStringUTF8((nint)names[i]) ?? string.Empty;
                }

                return result;
            }
            finally
            {
                Api.Check(Api.ReleaseAvailableProviders(names, count));
            }
        }
    }

    /// <summary>
    /// Whether the CUDA provider's shared libraries sit beside the ONNX Runtime library, where ONNX Runtime looks for
    /// them (the npm CPU package ships without them).
    /// </summary>
    public bool CudaProviderLibraryPresent
    {
        get
        {
            var dir = Path.GetDirectoryName(LibraryPath) ?? ".";
            return File.Exists(Path.Combine(dir, "libonnxruntime_providers_shared.so"))
                && File.Exists(Path.Combine(dir, "libonnxruntime_providers_cuda.so"));
        }
    }

    /// <summary>Creates a session from an ONNX file.</summary>
    public OnnxSession OpenSession(string modelPath, OnnxSessionOptions? options = null, ILogger? logger = null) =>
        OnnxSession.Create(this, modelPath, options ?? new OnnxSessionOptions(), logger ?? NullLogger.Instance);
}
