using System.Collections.Concurrent;
using System.Globalization;
using System.Net;

namespace EmiPlatform.Bench;

/// <summary>What the load benchmark's clients saw, per endpoint group: latencies of answered requests and every status.</summary>
internal sealed class LoadRecorder
{
    private readonly ConcurrentDictionary<string, ConcurrentBag<double>> _latencies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _outcomes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Group, string Outcome), int> _groupOutcomes = new();
    private readonly ConcurrentDictionary<string, string> _firstErrors = new(StringComparer.Ordinal);
    private long _requests;

    public long Requests => Interlocked.Read(ref _requests);

    public void Answered(string group, HttpStatusCode status, TimeSpan elapsed)
    {
        Interlocked.Increment(ref _requests);
        _outcomes.AddOrUpdate(Outcome(status), 1, (_, n) => n + 1);
        _groupOutcomes.AddOrUpdate((group, Outcome(status)), 1, (_, n) => n + 1);
        // A 429 answers in microseconds without doing the work: it would flatter the group's latency.
        if (status != HttpStatusCode.TooManyRequests)
        {
            _latencies.GetOrAdd(group, _ => []).Add(elapsed.TotalMilliseconds);
        }
    }

    /// <summary>No answer at all: a refused connection or the per-request timeout. Counted with the 5xx as failures.</summary>
    public void Failed(string group, Exception error)
    {
        Interlocked.Increment(ref _requests);
        var outcome = $"no answer ({group}: {error.GetType().Name})";
        _outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        _firstErrors.TryAdd(outcome, error.InnerException is { } inner ? $"{error.Message} ({inner.Message})" : error.Message);
    }

    /// <summary>The first exception message of each kind of unanswered request.</summary>
    public IEnumerable<string> FirstErrors => _firstErrors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}: {e.Value}");

    public int Count(string outcome) => _outcomes.GetValueOrDefault(outcome);

    /// <summary>How many of <paramref name="group"/>'s answers had <paramref name="outcome"/> (2xx, 429, 5xx or the status code).</summary>
    public int Count(string group, string outcome) => _groupOutcomes.GetValueOrDefault((group, outcome));

    public int ServerErrors => Count("5xx");

    public int Unanswered => _outcomes.Where(o => o.Key.StartsWith("no answer", StringComparison.Ordinal)).Sum(o => o.Value);

    public IEnumerable<string> Groups => _latencies.Keys.Order(StringComparer.Ordinal);

    public string Outcomes => string.Join(", ", _outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}: {o.Value}"));

    /// <summary>p50 and p99 (ms) of a group's answered requests, and their count.</summary>
    public (double P50, double P99, int Count) Latency(string group)
    {
        var sorted = _latencies.TryGetValue(group, out var bag) ? bag.Order().ToArray() : [];
        return sorted.Length == 0
            ? (double.NaN, double.NaN, 0)
            : (SchedulingBenchmark.Percentile(sorted, 50), SchedulingBenchmark.Percentile(sorted, 99), sorted.Length);
    }

    private static string Outcome(HttpStatusCode status) => (int)status switch
    {
        429 => "429",
        >= 500 => "5xx",
        >= 200 and < 300 => "2xx",
        var other => other.ToString(CultureInfo.InvariantCulture),
    };
}
