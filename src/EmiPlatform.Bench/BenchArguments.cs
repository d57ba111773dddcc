using System.Globalization;

namespace EmiPlatform.Bench;

/// <summary>The <c>--name value</c> options of the platform benchmarks (scoring-compare, scheduling-overhead, failover-gap, fairness).</summary>
internal sealed class BenchArguments
{
    private readonly Dictionary<string, string> _values;

    private BenchArguments(Dictionary<string, string> values) => _values = values;

    /// <summary>The options, or null (usage printed) when they are not pairs of <c>--name value</c>.</summary>
    public static BenchArguments? Parse(string[] args, string usage)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length || !args[i].StartsWith("--", StringComparison.Ordinal) || args[i] is "--help")
            {
                Console.Error.WriteLine(usage);
                return null;
            }
            values[args[i][2..]] = args[i + 1];
        }
        return new BenchArguments(values);
    }

    public string Text(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

    public int Int(string name, int fallback) =>
        _values.TryGetValue(name, out var text) ? int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) : fallback;

    public double Number(string name, double fallback) =>
        _values.TryGetValue(name, out var text) ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) : fallback;

    /// <summary>A comma-separated list such as <c>cluster,embedded</c>.</summary>
    public IReadOnlyList<Topology> Topologies(string fallback) =>
        [.. Text("topologies", fallback).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(t => Enum.Parse<Topology>(t, ignoreCase: true))];

    public IReadOnlyList<string> List(string name, string fallback) =>
        Text(name, fallback).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
