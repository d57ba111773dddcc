using System.Globalization;

namespace EmiPlatform.Cli.Watch;

/// <summary>The words a person reads about a run, shared by the live view, the log lines and the summary.</summary>
internal static class RunText
{
    public static string Counts(RunCounters c) =>
        $"{c.Total} job(s): {c.Queued} queued, {c.Running} running, {c.Succeeded} succeeded, {c.Failed} failed, {c.Cancelled} cancelled";

    public static string Seconds(RunCounters c) => string.Create(CultureInfo.InvariantCulture,
        $"{c.SecondsDone:0.0} of {c.SecondsTotal:0.0} recording-s ({Fraction(c):P0})");

    public static string Eta(RunCounters c) => c switch
    {
        { IsComplete: true } => "done",
        { EtaSeconds: { } eta } => "ETA " + Duration(TimeSpan.FromSeconds(eta)),
        _ => "ETA unknown until something is scored",
    };

    public static double Fraction(RunCounters c) => c.SecondsTotal > 0 ? Math.Clamp(c.SecondsDone / c.SecondsTotal, 0, 1) : c.IsComplete ? 1 : 0;

    public static string Duration(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}h {t.Minutes:00}m")
        : t.TotalMinutes >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}m {t.Seconds:00}s")
            : string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0} s");

    // Our ids are UUIDv7: the leading digits are a timestamp that ids made together share; the tail tells them apart.
    public static string Short(Guid? id) => id is { } value ? "…" + value.ToString("N")[^8..] : "—";
}
