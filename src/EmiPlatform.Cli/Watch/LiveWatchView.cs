using Spectre.Console;
using Spectre.Console.Rendering;

namespace EmiPlatform.Cli.Watch;

/// <summary>The terminal picture of a run: counters, a bar of recording-seconds, ETA, and the jobs that matter most.</summary>
internal static class LiveWatchView
{
    private const int BarWidth = 40;
    private const int MaxRows = 12;

    // Work in flight first, then what went wrong, then what waits, then what is done.
    private static readonly string[] Order = ["running", "failed", "cancelled", "queued", "succeeded"];

    public static IRenderable Render(Guid studyId, StudyRun run)
    {
        var c = run.Counters;
        var filled = (int)Math.Round(RunText.Fraction(c) * BarWidth);
        var parts = new List<IRenderable>
        {
            new Markup($"[bold]study {studyId}[/] · run {RunText.Short(c.RunId)} · {c.Total} job(s): {c.Queued} queued · [blue]{c.Running} running[/] · "
                + $"[green]{c.Succeeded} succeeded[/] · [red]{c.Failed} failed[/] · [yellow]{c.Cancelled} cancelled[/]"),
            new Markup($"[green]{new string('█', filled)}[/][grey]{new string('░', BarWidth - filled)}[/] "
                + Markup.Escape($"{RunText.Seconds(c)} · {RunText.Eta(c)}")),
        };
        var jobs = run.Jobs.OrderBy(j => Array.IndexOf(Order, j.State)).ToList();
        if (jobs.Count > 0)
        {
            var table = new Table().Border(TableBorder.Simple);
            foreach (var header in new[] { "participant", "file", "state", "progress", "attempts", "job", "error" })
            {
                table.AddColumn(header);
            }
            foreach (var job in jobs.Take(MaxRows))
            {
                table.AddRow(new Text(job.ParticipantCode), new Text(job.FileName), new Markup(State(job.State)),
                    new Text($"{job.Progress:P0}"), new Text(job.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    new Text(RunText.Short(job.Id)), new Text(job.Error ?? ""));
            }
            if (jobs.Count > MaxRows)
            {
                table.Caption($"… and {jobs.Count - MaxRows} more");
            }
            parts.Add(table);
        }
        if (run.Notice is { } notice)
        {
            parts.Add(new Markup($"[yellow]{Markup.Escape(notice)}[/]"));
        }
        return new Rows(parts);
    }

    private static string State(string state) => state switch
    {
        "running" => "[blue]running[/]",
        "succeeded" => "[green]succeeded[/]",
        "failed" => "[red]failed[/]",
        "cancelled" => "[yellow]cancelled[/]",
        _ => Markup.Escape(state),
    };
}
