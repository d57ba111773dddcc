using System.Text;
using EmiPlatform.Api.Validation;
using EmiPlatform.Data;

namespace EmiPlatform.Api.Recordings;

/// <summary>
/// Keeps a client's file name as a label only: no directories, no control or shell-special characters, none of the
/// invisible ones that change how a name reads (after a right-to-left override, "gpj.exe" shows as "exe.jpg"), bounded
/// length. Stripped rather than refused: clients send whatever their file system had.
/// </summary>
public static class FileNames
{
    private const string Fallback = "recording";

    public static string Sanitize(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return Fallback;
        }
        var name = raw[(raw.LastIndexOfAny(['/', '\\']) + 1)..];
        var kept = new string([.. name.Where(c => !char.IsSurrogate(c) && !NoControlCharactersAttribute.IsHidden(new Rune(c)) && "<>:\"|?*".IndexOf(c) < 0)]);
        kept = kept.Trim().Trim('.').Trim();
        if (kept.Length > Limits.FileNameLength)
        {
            var extension = Path.GetExtension(kept);
            extension = extension.Length is > 0 and <= 16 ? extension : string.Empty;
            kept = kept[..(Limits.FileNameLength - extension.Length)] + extension;
        }
        return kept.Length == 0 ? Fallback : kept;
    }
}
