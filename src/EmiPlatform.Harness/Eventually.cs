using System.Diagnostics;

namespace EmiPlatform.Harness;

/// <summary>Waiting on a condition instead of a fixed sleep: the one poll loop of the tests and the benchmarks.</summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Polls <paramref name="condition"/> (every <paramref name="poll"/>, default 100 ms) until it holds; after
    /// <paramref name="timeout"/> throws a <see cref="TimeoutException"/> that names <paramref name="what"/> and adds
    /// <paramref name="explain"/>'s text (a host's log tail, say). An exception from the condition ends the wait at once.
    /// </summary>
    public static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? poll = null, Func<string>? explain = null)
    {
        var elapsed = Stopwatch.StartNew();
        while (!await condition())
        {
            if (elapsed.Elapsed > timeout)
            {
                var why = explain?.Invoke() is { Length: > 0 } text ? "\n" + text : "";
                throw new TimeoutException($"gave up waiting for {what} after {elapsed.Elapsed.TotalSeconds:F0} s{why}");
            }
            await Task.Delay(poll ?? DefaultPoll);
        }
    }

    public static Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what, TimeSpan? poll = null) =>
        WaitAsync(() => Task.FromResult(condition()), timeout, what, poll);
}
