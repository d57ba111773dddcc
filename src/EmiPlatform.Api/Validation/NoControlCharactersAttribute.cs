using System.ComponentModel.DataAnnotations;

namespace EmiPlatform.Api.Validation;

/// <summary>
/// Refuses control characters (NUL, terminal escapes) in text that people read back in lists, CSVs and terminals;
/// <see cref="Multiline"/> text may keep its line breaks and tabs.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter | AttributeTargets.Field)]
public sealed class NoControlCharactersAttribute() : ValidationAttribute("must not contain control characters")
{
    public bool Multiline { get; set; }

    public override bool IsValid(object? value) =>
        value is not string text || !text.Any(c => char.IsControl(c) && !(Multiline && c is '\n' or '\r' or '\t'));
}
