using EmiPlatform.Data.Jobs;

namespace EmiPlatform.Grains.Tenants;

/// <summary>
/// Round-robin across a tenant's studies: each pick goes to the study served least recently, so a study with
/// thousands of queued jobs and one with a handful alternate instead of the first draining before the second starts.
/// </summary>
public sealed class StudyTurns
{
    private readonly Dictionary<Guid, long> _lastServed = [];
    private long _clock;

    /// <param name="due">Releasable jobs, oldest first within each study.</param>
    public List<Guid> Pick(IReadOnlyList<ReleasableJob> due, int free)
    {
        var picked = new List<Guid>();
        if (free <= 0 || due.Count == 0)
        {
            return picked;
        }
        var queues = due.GroupBy(j => j.StudyId)
            .Select(g => (Study: g.Key, Jobs: new Queue<ReleasableJob>(g.OrderBy(j => j.CreatedAt).ThenBy(j => j.Id)), Oldest: g.Min(j => j.CreatedAt)))
            .OrderBy(q => _lastServed.GetValueOrDefault(q.Study))
            .ThenBy(q => q.Oldest)
            .ToList();
        while (picked.Count < free && queues.Count > 0)
        {
            foreach (var queue in queues.ToList())
            {
                if (picked.Count == free)
                {
                    break;
                }
                picked.Add(queue.Jobs.Dequeue().Id);
                _lastServed[queue.Study] = ++_clock;
                if (queue.Jobs.Count == 0)
                {
                    queues.Remove(queue);
                }
            }
        }
        return picked;
    }
}
