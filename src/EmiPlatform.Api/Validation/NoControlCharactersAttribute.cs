using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;

namespace EmiPlatform.Api.Validation;

/// <summary>
/// Refuses characters that people reading text back in lists, CSVs and terminals cannot see but that change what they
/// see: control characters (NUL, terminal escapes), format characters (Unicode Cf: the right-to-left override U+202E and
/// the other direction marks, overrides and isolates, zero-width spaces and joiners, the byte-order mark) and the line
/// and paragraph separators U+2028/U+2029. <see cref="Multiline"/> text may keep its line breaks and tabs.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter | AttributeTargets.Field)]
public sealed class NoControlCharactersAttribute() : ValidationAttribute("must not contain control, formatting or invisible characters (such as U+202E, U+200B, U+2028)")
{
    public bool Multiline { get; set; }

    public override bool IsValid(object? value) =>
        value is not string text || !text.EnumerateRunes().Any(r => IsHidden(r) && !(Multiline && r.Value is '\n' or '\r' or '\t'));

    /// <summary>Whether <paramref name="rune"/> is one that this attribute refuses (for code that cleans text rather than refusing it).</summary>
    public static bool IsHidden(Rune rune) => Rune.GetUnicodeCategory(rune) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
