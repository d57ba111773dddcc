using System.Runtime.InteropServices;

namespace EmiPlatform.Media;

/// <summary>
/// The platform's heavy work — ffmpeg and ffprobe children, ONNX Runtime's intra-op threads — runs at nice
/// <see cref="Niceness"/>, below the threads that answer requests, renew leases and send silo heartbeats. On a host
/// that does both (the API's upload probes; the embedded topology, where the API process scores) a busy machine then
/// serves a request first and scores in the time left; on a scoring silo a saturated CPU still leaves Orleans's own
/// threads their time. A lowered thread cannot be raised again without privileges, so only threads made for the work
/// are lowered, never a pool thread: a child right after it starts, or a new thread that ends with its one task (a
/// session's creation, whose intra-op threads inherit the value).
/// </summary>
internal static partial class BackgroundPriority
{
    /// <summary>nice(1)'s scale: at 10 a thread gets about a tenth of a core that a thread at 0 also wants.</summary>
    public const int Niceness = 10;

    private const int PrioProcess = 0;
    private const int NoSuchProcess = 3; // ESRCH: it exited already

    /// <summary>
    /// Lowers a child process right after it started: its main thread, and so every thread it starts later (Linux
    /// threads inherit their creator's nice value).
    /// </summary>
    public static void Lower(int pid)
    {
        if (OperatingSystem.IsLinux() && SetPriority(PrioProcess, pid, Niceness) != 0 && Marshal.GetLastPInvokeError() is var errno && errno != NoSuchProcess)
        {
            throw new InvalidOperationException($"setpriority({pid}, {Niceness}) failed with errno {errno}.");
        }
    }

    /// <summary>Runs <paramref name="work"/> on a new thread at background priority and waits for it.</summary>
    public static T Run<T>(Func<T> work)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                LowerThisThread();
                result = work();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        }) { IsBackground = true, Name = "emi-background" };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return result;
    }

    private static void LowerThisThread()
    {
        if (OperatingSystem.IsLinux() && SetPriority(PrioProcess, GetThreadId(), Niceness) != 0)
        {
            throw new InvalidOperationException($"setpriority(thread, {Niceness}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
