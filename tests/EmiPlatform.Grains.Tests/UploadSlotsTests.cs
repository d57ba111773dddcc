using EmiPlatform.Abstractions.Tenants;
using EmiPlatform.Grains.Tenants;
using Microsoft.Extensions.Time.Testing;

namespace EmiPlatform.Grains.Tests;

/// <summary>The tenant grain's upload slots on a fake clock: the limit, release, lapse of an unrenewed slot, and re-taking after a failover.</summary>
public sealed class UploadSlotsTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);
    private readonly FakeTimeProvider clock = new();

    [Fact]
    public void The_limit_holds_until_a_slot_is_released()
    {
        var slots = new UploadSlots(2, Lease, clock);
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        Assert.Equal(UploadSlotGrant.Taken, slots.Take(a));
        Assert.Equal(UploadSlotGrant.Taken, slots.Take(b));
        Assert.Equal(UploadSlotGrant.AllHeld, slots.Take(Guid.NewGuid()));
        // The same upload asking again is told another request holds it (one at a time), and holds one slot, not two.
        Assert.Equal(UploadSlotGrant.AlreadyHeld, slots.Take(a));
        Assert.Equal(2, slots.Count);

        slots.Release(a);
        Assert.Equal(UploadSlotGrant.Taken, slots.Take(Guid.NewGuid()));
        Assert.Equal(UploadSlotGrant.AllHeld, slots.Take(Guid.NewGuid()));
    }

    [Fact]
    public void A_slot_renewed_within_its_lease_stays_and_one_left_alone_lapses()
    {
        var slots = new UploadSlots(2, Lease, clock);
        var (renewed, abandoned) = (Guid.NewGuid(), Guid.NewGuid());
        slots.Take(renewed);
        slots.Take(abandoned);
        for (var i = 0; i < 10; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            slots.Keep(renewed);
        }
        Assert.Equal(1, slots.Count); // the abandoned one (its API host died) lapsed after 60 s
        Assert.Equal(UploadSlotGrant.Taken, slots.Take(Guid.NewGuid()));
        Assert.Equal(UploadSlotGrant.AllHeld, slots.Take(abandoned));
    }

    [Fact]
    public void A_fresh_activation_learns_uploads_in_flight_from_their_renewals_even_over_the_limit()
    {
        var slots = new UploadSlots(1, Lease, clock);
        Assert.Equal(UploadSlotGrant.Taken, slots.Take(Guid.NewGuid()));
        slots.Keep(Guid.NewGuid()); // an upload admitted by the grain's previous activation
        Assert.Equal(2, slots.Count);
        Assert.Equal(UploadSlotGrant.AllHeld, slots.Take(Guid.NewGuid()));
    }
}
