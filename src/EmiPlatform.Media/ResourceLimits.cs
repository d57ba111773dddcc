using System.Runtime.InteropServices;

namespace EmiPlatform.Media;

/// <summary>
/// Sets RLIMIT_CPU and RLIMIT_DATA on a child with prlimit(2). .NET has no hook between fork and exec, so the limits are
/// set as soon as <see cref="System.Diagnostics.Process.Start()"/> returns: after exec, while ffmpeg is still loading its
/// libraries and before it has read a byte of its input. At the CPU limit the kernel sends SIGKILL (soft = hard: ffmpeg
/// treats SIGXCPU as a polite request to stop, which a decoder stuck in one frame would not act on); above the memory
/// limit its allocations fail and it exits with an error. The child also runs at <see cref="BackgroundPriority"/>.
/// </summary>
internal static partial class ResourceLimits
{
    private const int RlimitCpu = 0;
    private const int RlimitData = 2;
    private const int NoSuchProcess = 3; // ESRCH: it exited already, nothing left to limit

    /// <summary>False where prlimit does not exist (not Linux): only the wall-clock limit applies there.</summary>
    public static bool Supported => OperatingSystem.IsLinux();

    public static void Apply(int pid, ProcessBudget budget)
    {
        if (!Supported)
        {
            return;
        }

        var cpuSeconds = (ulong)Math.Max(1, Math.Ceiling(budget.CpuTime.TotalSeconds));
        Set(pid, RlimitCpu, cpuSeconds);
        Set(pid, RlimitData, (ulong)budget.MemoryBytes);
        BackgroundPriority.Lower(pid);
    }

    private static void Set(int pid, int resource, ulong value)
    {
        var limit = new Limit(value, value);
        if (SetLimit(pid, resource, ref limit, IntPtr.Zero) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != NoSuchProcess)
            {
                throw new InvalidOperationException($"prlimit({pid}, {resource}) failed with errno {errno}: the child would run unbounded.");
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Limit(ulong current, ulong maximum)
    {
        public ulong Current = current;
        public ulong Maximum = maximum;
    }

    [LibraryImport("libc", EntryPoint = "prlimit", SetLastError = true)]
    private static partial int SetLimit(int pid, int resource, ref Limit newLimit, IntPtr oldLimit);
}
