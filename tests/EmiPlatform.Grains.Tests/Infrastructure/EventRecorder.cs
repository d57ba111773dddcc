using EmiPlatform.Abstractions.Studies;

namespace EmiPlatform.Grains.Tests.Infrastructure;

/// <summary>A client-side study observer (an API host's SSE stream stands in the same place): keeps what it is told.</summary>
public sealed class EventRecorder : IStudyObserver
{
    private readonly List<StudyEvent> _events = [];

    public IReadOnlyList<StudyEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public Task OnEventAsync(StudyEvent studyEvent)
    {
        lock (_events)
        {
            _events.Add(studyEvent);
        }
        return Task.CompletedTask;
    }
}
