namespace EmiPlatform.Api.Timelines;

/// <summary>A bundle named as <c>name@version</c> in a query string.</summary>
public sealed record ModelRef(string Name, string Version)
{
    /// <summary>Splits at the last '@', so a name may hold one and a version may not.</summary>
    public static bool TryParse(string? text, out ModelRef? model)
    {
        model = null;
        if (text is null)
        {
            return true;
        }
        var at = text.LastIndexOf('@');
        if (at <= 0 || at == text.Length - 1)
        {
            return false;
        }
        model = new ModelRef(text[..at], text[(at + 1)..]);
        return true;
    }

    public override string ToString() => $"{Name}@{Version}";
}
