namespace EmiPlatform.Api.Events;

/// <summary>The bounds of an events request (docs/results.md): what is over them is refused whole, before anything is written.</summary>
public static class EventLimits
{
    /// <summary>Data rows (or JSON events) in one request; a study's import counts all its recordings' rows.</summary>
    public const int MaxRows = 10_000;

    /// <summary>Events on one recording.</summary>
    public const int MaxPerRecording = 1_000;

    /// <summary>Offending rows listed in a refusal; the problem's <c>errorCount</c> says how many there were in all.</summary>
    public const int MaxListedErrors = 50;

    /// <summary>The request body (CSV or JSON).</summary>
    public const long MaxBodyBytes = 4 * 1024 * 1024;

    public const int KindLength = 50;

    /// <summary>A CSV field; labels are bounded tighter by <see cref="Data.Limits.NameLength"/>.</summary>
    public const int MaxFieldLength = 1_000;
}
