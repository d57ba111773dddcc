namespace EmiPlatform.Grains;

/// <summary>
/// Keeps a grain with work in flight looking at PostgreSQL: a timer for prompt rounds while it is active, and a
/// reminder that activates it again on another silo if this one dies. Idle: neither, and the grain may be collected.
/// </summary>
public sealed class Watch(IGrainBase grain, string reminderName, Func<CancellationToken, Task> round, TimeSpan interval)
{
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    private IGrainTimer? _timer;
    private bool _reminder;

    /// <summary>Learns whether an earlier activation left the reminder registered.</summary>
    public async Task InitializeAsync() => _reminder = await grain.GetReminder(reminderName) is not null;

    public async Task KeepAsync(bool busy)
    {
        if (busy)
        {
            _timer ??= grain.RegisterGrainTimer(round, new GrainTimerCreationOptions(interval, interval) { KeepAlive = true });
            if (!_reminder)
            {
                await grain.RegisterOrUpdateReminder(reminderName, ReminderPeriod, ReminderPeriod);
                _reminder = true;
            }
            return;
        }
        _timer?.Dispose();
        _timer = null;
        if (_reminder)
        {
            if (await grain.GetReminder(reminderName) is { } reminder)
            {
                await grain.UnregisterReminder(reminder);
            }
            _reminder = false;
        }
    }
}
