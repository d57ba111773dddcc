using Microsoft.ML.OnnxRuntime;

namespace EmiPlatform.Inference.Onnx;

/// <summary>
/// ONNX Runtime's process-wide environment, created once by the engine so that it carries our logging callback and
/// the CPU arena every session shares. Everything in the engine reaches ONNX Runtime through <see cref="Instance"/>
/// first: <c>OrtEnv.Instance()</c> called earlier would create the environment without them.
/// </summary>
public static class OnnxEnvironment
{
    // ORT_ARENA_EXTEND_STRATEGY kSameAsRequested: growing by the request instead of the next power of two keeps a
    // 190 MB activation from reserving 256 MB.
    private const int ArenaExtendSameAsRequested = 1;

    // Native code keeps a pointer to this delegate for the life of the process.
    private static readonly DOrtLoggingFunction s_log = Log;
    private static readonly Lazy<OrtEnv> s_env = new(Create);

    [ThreadStatic]
    private static List<string>? t_capturedErrors;

    public static OrtEnv Instance => s_env.Value;

    /// <summary>The native library's version, e.g. "1.31.0".</summary>
    public static string Version => Instance.GetVersionString();

    private static OrtEnv Create()
    {
        var options = new EnvironmentCreationOptions
        {
            logId = "emi",
            logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
            loggingFunction = s_log,
        };
        var env = OrtEnv.CreateInstanceWithOptions(ref options);

        // One CPU arena for every session of the process (sessions opt in with session.use_env_allocators):
        // per-session arenas each keep their own peak, so two branches would hold the sum of their largest activations.
        using var cpu = new OrtMemoryInfo(OrtMemoryInfo.allocatorCPU, OrtAllocatorType.ArenaAllocator, 0, OrtMemType.Default);
        using var arena = new OrtArenaCfg(0, ArenaExtendSameAsRequested, -1, -1);
        env.CreateAndRegisterAllocator(cpu, arena);
        return env;
    }

    /// <summary>
    /// Runs <paramref name="action"/>; if it throws, the errors ONNX Runtime logged on this thread meanwhile go with
    /// the exception (<see cref="LoggedErrors"/>) instead of to stderr. Some
    /// failures carry their cause only in the log, not in the exception: appending the CUDA provider by device id
    /// when its library cannot load throws "Failed to load shared library" and logs which dependency was missing.
    /// </summary>
    internal static T CaptureErrors<T>(Func<T> action)
    {
        _ = Instance;
        var previous = t_capturedErrors;
        var captured = new List<string>();
        t_capturedErrors = captured;
        try
        {
            return action();
        }
        catch (Exception ex)
        {
            ex.Data[CapturedErrorsKey] = captured.ToArray();
            throw;
        }
        finally
        {
            t_capturedErrors = previous;
        }
    }

    /// <summary>The errors <see cref="CaptureErrors"/> saw logged before <paramref name="ex"/> was thrown.</summary>
    internal static IReadOnlyList<string> LoggedErrors(Exception ex) => ex.Data[CapturedErrorsKey] as string[] ?? [];

    private const string CapturedErrorsKey = "onnxruntime.log.errors";

    private static void Log(IntPtr param, OrtLoggingLevel severity, string category, string logId, string codeLocation, string message)
    {
        if (severity >= OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR && t_capturedErrors is { } capture)
        {
            capture.Add(message);
            return;
        }

        // Where ONNX Runtime's own default sink writes, so that nothing it says is lost.
        Console.Error.WriteLine($"onnxruntime {severity switch
        {
            OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING => "warning",
            OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR => "error",
            OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL => "fatal",
            _ => "info",
        }} {codeLocation}: {message}");
    }
}
