using EmiPlatform.Abstractions.Tenants;

namespace EmiPlatform.Grains.Tenants;

/// <summary>
/// A tenant's concurrent-upload slots: at most <c>limit</c> held at once, each lapsing <c>lease</c> after it was last
/// taken or renewed. Lives in the tenant's grain, which runs one call at a time, so it needs no locking.
/// </summary>
public sealed class UploadSlots(int limit, TimeSpan lease, TimeProvider clock)
{
    private readonly Dictionary<Guid, long> _expiresAt = [];

    public int Count
    {
        get
        {
            Prune();
            return _expiresAt.Count;
        }
    }

    /// <summary>
    /// A slot for <paramref name="uploadId"/>, unless all are held or that upload holds one already: its holder is
    /// working on it, and a repeat of the same upload (a second <c>complete</c>) must wait for it rather than pass the
    /// limit and do the same work beside it.
    /// </summary>
    public UploadSlotGrant Take(Guid uploadId)
    {
        Prune();
        if (_expiresAt.ContainsKey(uploadId))
        {
            return UploadSlotGrant.AlreadyHeld;
        }
        if (_expiresAt.Count >= limit)
        {
            return UploadSlotGrant.AllHeld;
        }
        _expiresAt[uploadId] = Deadline();
        return UploadSlotGrant.Taken;
    }

    /// <summary>Renews a slot, or takes it back whatever the count: its upload is already streaming.</summary>
    public void Keep(Guid uploadId) => _expiresAt[uploadId] = Deadline();

    public void Release(Guid uploadId) => _expiresAt.Remove(uploadId);

    private long Deadline() => clock.GetTimestamp() + (long)(lease.TotalSeconds * clock.TimestampFrequency);

    private void Prune()
    {
        var now = clock.GetTimestamp();
        foreach (var (id, expiresAt) in _expiresAt)
        {
            if (expiresAt <= now)
            {
                _expiresAt.Remove(id);
            }
        }
    }
}
