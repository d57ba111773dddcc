using Orleans;
using Orleans.Runtime;

namespace EmiPlatform.Orleans.Tests;

public sealed class ReminderProbeGrain : Grain, IReminderProbeGrain, IRemindable
{
    private const string ReminderName = "probe";

    private int ticks;

    public Task Arm(TimeSpan dueTime, TimeSpan period) => this.RegisterOrUpdateReminder(ReminderName, dueTime, period);

    public Task<int> Ticks() => Task.FromResult(ticks);

    public async Task Disarm()
    {
        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        ticks++;
        return Task.CompletedTask;
    }
}
