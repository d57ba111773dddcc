using System.Globalization;
using EmiPlatform.Bundles;
using EmiPlatform.Inference.Onnx;
using EmiPlatform.Media;

namespace EmiPlatform.Inference.Tests;

/// <summary>
/// Inference runs below the host's own threads (issue 23: a busy host answers requests first): the intra-op threads of
/// every session, started on a thread made for the session's creation, and never the caller's thread.
/// </summary>
public sealed class BackgroundPriorityTests
{
    [Fact]
    public void Work_runs_at_background_priority_and_its_caller_keeps_its_own()
    {
        Assert.Equal(BackgroundPriority.Niceness, BackgroundPriority.Run(() => Nice("/proc/thread-self/stat")));
        Assert.Equal(0, Nice("/proc/thread-self/stat"));

        var error = Assert.Throws<InvalidOperationException>(() => BackgroundPriority.Run<int>(() => throw new InvalidOperationException("inside")));
        Assert.Equal("inside", error.Message);
    }

    [Fact]
    public void A_sessions_intra_op_threads_start_at_background_priority()
    {
        var bundle = ModelBundle.Load(TestEnvironment.ReferenceBundle);
        var before = ThreadsAt(BackgroundPriority.Niceness);
        using var model = OnnxModel.Open(bundle.FaceDetectorPath!, TestEnvironment.Cpu with { IntraOpThreads = 3 });

        // ONNX Runtime starts intra-op threads - 1 workers with the session; the caller is the last one.
        Assert.True(ThreadsAt(BackgroundPriority.Niceness) - before >= 2, $"{ThreadsAt(BackgroundPriority.Niceness) - before} new threads at nice {BackgroundPriority.Niceness}");
        Assert.Equal(0, Nice("/proc/thread-self/stat"));
    }

    private static int ThreadsAt(int nice) => Directory.GetDirectories("/proc/self/task").Count(task =>
    {
        try
        {
            return Nice(Path.Combine(task, "stat")) == nice;
        }
        catch (IOException)
        {
            return false; // ended meanwhile
        }
    });

    // proc(5): nice is field 19, the 17th after the parenthesised command name.
    private static int Nice(string statPath)
    {
        var stat = File.ReadAllText(statPath);
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], CultureInfo.InvariantCulture);
    }
}
