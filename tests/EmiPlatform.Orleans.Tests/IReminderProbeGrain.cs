using Orleans;

namespace EmiPlatform.Orleans.Tests;

/// <summary>A grain that counts the ticks of one reminder, to see reminders stored by our SQL actually fire.</summary>
public interface IReminderProbeGrain : IGrainWithStringKey
{
    Task Arm(TimeSpan dueTime, TimeSpan period);

    Task<int> Ticks();

    Task Disarm();
}
