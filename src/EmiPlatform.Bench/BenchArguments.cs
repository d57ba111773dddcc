using System.Globalization;

namespace EmiPlatform.Bench;

/// <summary>The options of every benchmark mode: <c>--name value</c> pairs and the mode's <c>--flag</c>s.</summary>
internal sealed class BenchArguments
{
    private readonly Dictionary<string, string?> _values;

    private BenchArguments(Dictionary<string, string?> values) => _values = values;

    /// <summary>
    /// The options, or null (the problem and <paramref name="usage"/> printed) when they are not pairs of
    /// <c>--name value</c> and <paramref name="flags"/> (names that take no value).
    /// </summary>
    public static BenchArguments? Parse(IReadOnlyList<string> args, string usage, params string[] flags)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var problem = args[i] switch
            {
                "--help" or "-h" => "",
                var arg when !arg.StartsWith("--", StringComparison.Ordinal) => $"unexpected argument '{arg}'",
                var arg when flags.Contains(arg[2..]) => null,
                var arg when i + 1 >= args.Count => $"{arg} needs a value",
                _ => null,
            };
            if (problem is not null)
            {
                Console.Error.WriteLine(problem.Length > 0 ? $"{problem}\n{usage}" : usage);
                return null;
            }
            var name = args[i][2..];
            values[name] = flags.Contains(name) ? null : args[++i];
        }
        return new BenchArguments(values);
    }

    /// <summary>Runs a benchmark on its parsed options; 2 (usage printed) when they do not parse.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, string usage, Func<BenchArguments, Task<int>> benchmark) =>
        Parse(args, usage) is { } options ? await benchmark(options) : 2;

    /// <summary>Whether the flag or option <paramref name="name"/> was given.</summary>
    public bool Has(string name) => _values.ContainsKey(name);

    public string? Text(string name) => _values.GetValueOrDefault(name);

    public string Text(string name, string fallback) => _values.GetValueOrDefault(name) ?? fallback;

    public int Int(string name, int fallback) =>
        _values.TryGetValue(name, out var text) ? int.Parse(text!, NumberStyles.None, CultureInfo.InvariantCulture) : fallback;

    public double Number(string name, double fallback) =>
        _values.TryGetValue(name, out var text) ? double.Parse(text!, NumberStyles.Float, CultureInfo.InvariantCulture) : fallback;

    /// <summary>A number above zero; anything else is an <see cref="ArgumentException"/> that names the option.</summary>
    public double PositiveNumber(string name, double fallback) =>
        !_values.TryGetValue(name, out var text)
            ? fallback
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
                ? value
                : throw new ArgumentException($"--{name} needs a positive number, got '{text}'");

    /// <summary>A comma-separated list such as <c>cluster,embedded</c>.</summary>
    public IReadOnlyList<Topology> Topologies(string fallback) =>
        [.. List("topologies", fallback).Select(t => Enum.Parse<Topology>(t, ignoreCase: true))];

    public IReadOnlyList<string> List(string name, string fallback) =>
        Text(name, fallback).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
