using EmiPlatform.Abstractions.Studies;

namespace EmiPlatform.Grains.Studies;

/// <summary>
/// The study grain's recent events, numbered for SSE resumption. Numbers start from the activation's clock in
/// microseconds, so they keep increasing across activations on other silos, and an id from an earlier activation is
/// older than this log: the reader then starts again from a fresh snapshot.
/// </summary>
public sealed class StudyEventLog
{
    private readonly int _capacity;

    private readonly Queue<StudyEvent> _recent = new();
    private readonly long _firstId;

    public StudyEventLog(int capacity = 2048)
    {
        _capacity = capacity;
        _firstId = LastId = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
    }

    public long LastId { get; private set; }

    public StudyEvent Append(StudyEventKind kind, JobSnapshot? job, StudyProgress progress)
    {
        var studyEvent = new StudyEvent(++LastId, kind, job, progress);
        _recent.Enqueue(studyEvent);
        if (_recent.Count > _capacity)
        {
            _recent.Dequeue();
        }
        return studyEvent;
    }

    /// <summary>The events after <paramref name="lastId"/>, or null when some of them are no longer here.</summary>
    public StudyEvent[]? After(long lastId)
    {
        var oldest = _recent.Count > 0 ? _recent.Peek().Id : LastId + 1;
        if (lastId < _firstId || lastId > LastId || lastId < oldest - 1)
        {
            return null;
        }
        return [.. _recent.Where(e => e.Id > lastId)];
    }
}
