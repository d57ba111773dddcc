using System.Collections.Concurrent;
using Spectre.Console;

namespace EmiPlatform.Cli.Upload;

/// <summary>On a terminal: a bar per file in flight and one for the whole batch (bytes sent, skipped files count as done).</summary>
internal sealed class ProgressBarObserver(ProgressContext progress, long totalBytes) : IUploadObserver
{
    private readonly ProgressTask _total = progress.AddTask("[bold]total[/]", maxValue: Math.Max(1, totalBytes));
    private readonly ConcurrentDictionary<UploadItem, ProgressTask> _files = new();

    public void Started(UploadItem item) =>
        _files[item] = progress.AddTaskBefore(Markup.Escape(item.DisplayName), new ProgressTaskSettings { MaxValue = Math.Max(1, item.Length) }, _total);

    public void Sent(UploadItem item, long bytes)
    {
        if (_files.TryGetValue(item, out var task))
        {
            task.Increment(bytes);
        }
        _total.Increment(bytes);
    }

    public void Finished(UploadItem item, UploadOutcome outcome)
    {
        if (_files.TryRemove(item, out var task))
        {
            task.Description = $"{Markup.Escape(item.DisplayName)} [{(outcome.Status == UploadStatus.Failed ? "red" : "green")}]{outcome.Status.ToString().ToLowerInvariant()}[/]";
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }
}
