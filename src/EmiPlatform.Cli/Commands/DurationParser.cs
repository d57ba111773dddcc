using System.Globalization;

namespace EmiPlatform.Cli.Commands;

/// <summary>Parses "1s", "500ms", "2.5s", "1m" or a bare number of seconds.</summary>
internal static class DurationParser
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim().ToLowerInvariant();
        var (number, scale) = s switch
        {
            _ when s.EndsWith("ms", StringComparison.Ordinal) => (s[..^2], 0.001),
            _ when s.EndsWith('s') => (s[..^1], 1.0),
            _ when s.EndsWith('m') => (s[..^1], 60.0),
            _ => (s, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || !(amount > 0))
        {
            return false;
        }

        value = TimeSpan.FromSeconds(amount * scale);
        return true;
    }
}
