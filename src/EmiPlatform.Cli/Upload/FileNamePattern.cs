using System.Text;
using System.Text.RegularExpressions;

namespace EmiPlatform.Cli.Upload;

/// <summary>
/// <c>--participant-from</c>: where a file's participant code (and optionally stimulus and trial) come from.
/// Either a template — <c>{participant}_*.mp4</c>, with <c>{participant}</c>, <c>{stimulus}</c>, <c>{trial}</c>
/// placeholders, <c>*</c> for any run of characters and <c>?</c> for one, matched against the whole file name
/// (case-insensitively) — or a .NET regular expression with a named group <c>(?&lt;participant&gt;…)</c> (and optionally
/// <c>stimulus</c>, <c>trial</c>), searched in the file name. A pattern containing <c>/</c> is matched against the path
/// relative to the folder given, with <c>/</c> separators, so a folder per participant works: <c>{participant}/*</c>.
/// </summary>
internal sealed class FileNamePattern
{
    private static readonly string[] s_placeholders = ["participant", "stimulus", "trial"];
    private readonly Regex _regex;
    private readonly bool _matchPath;

    private FileNamePattern(Regex regex, bool matchPath)
    {
        _regex = regex;
        _matchPath = matchPath;
    }

    public string Source => _regex.ToString();

    public static FileNamePattern Parse(string pattern)
    {
        if (pattern.Contains("(?<", StringComparison.Ordinal))
        {
            Regex regex;
            try
            {
                regex = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"--participant-from: invalid regular expression: {e.Message}");
            }
            if (!regex.GetGroupNames().Contains("participant"))
            {
                throw new FormatException("--participant-from: the regular expression needs a named group (?<participant>…).");
            }
            return new FileNamePattern(regex, pattern.Contains('/', StringComparison.Ordinal));
        }

        if (!pattern.Contains("{participant}", StringComparison.Ordinal))
        {
            throw new FormatException("--participant-from: the pattern needs {participant}, e.g. '{participant}_*.mp4', or a regex with (?<participant>…).");
        }
        var builder = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '{' && s_placeholders.FirstOrDefault(p => string.CompareOrdinal(pattern, i + 1, p + "}", 0, p.Length + 1) == 0) is { } name)
            {
                // Lazy and without '/', so '{participant}_*' stops at the first underscore and never spans folders.
                builder.Append("(?<").Append(name).Append(">[^/]+?)");
                i += name.Length + 1;
            }
            else
            {
                builder.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    _ => Regex.Escape(c.ToString()),
                });
            }
        }
        builder.Append('$');
        return new FileNamePattern(
            new Regex(builder.ToString(), RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1)),
            pattern.Contains('/', StringComparison.Ordinal));
    }

    /// <summary>The captured fields, or null when the file does not match.</summary>
    public FileNameMatch? Match(string relativePath)
    {
        var subject = _matchPath ? relativePath.Replace('\\', '/') : Path.GetFileName(relativePath);
        var match = _regex.Match(subject);
        if (!match.Success || match.Groups["participant"] is not { Success: true, Length: > 0 } participant)
        {
            return null;
        }
        return new FileNameMatch(participant.Value, Group(match, "stimulus"), Group(match, "trial"));
    }

    private static string? Group(Match match, string name) =>
        match.Groups[name] is { Success: true, Length: > 0 } group ? group.Value : null;
}
