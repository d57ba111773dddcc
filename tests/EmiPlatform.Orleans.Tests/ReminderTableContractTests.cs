using Orleans;
using Orleans.Runtime;

namespace EmiPlatform.Orleans.Tests;

/// <summary>
/// Orleans's ADO.NET reminder table (from Microsoft.Orleans.Reminders.AdoNet) on our migration: upserts and their
/// ETags, reads by grain and by slice of the hash ring, and deletes that need the current ETag.
/// </summary>
public sealed class ReminderTableContractTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static string NewServiceId() => $"service-{Guid.NewGuid():N}";

    private static GrainId NewGrain() => GrainId.Create("reminder-probe", Guid.NewGuid().ToString("N"));

    private static ReminderEntry Reminder(GrainId grain, string name, TimeSpan? period = null) => new()
    {
        GrainId = grain,
        ReminderName = name,
        StartAt = Silos.Now(),
        Period = period ?? TimeSpan.FromMinutes(1),
    };

    [Fact]
    public async Task Upsert_inserts_then_updates_with_a_new_etag_and_ReadRow_returns_what_was_written()
    {
        await using var db = await OrleansDatabase.CreateAsync();
        var table = await Providers.ReminderTableAsync(db, NewServiceId());
        var grain = NewGrain();
        Assert.Null(await table.ReadRow(grain, "tick", None));

        var reminder = Reminder(grain, "tick");
        var inserted = await table.UpsertRow(reminder, None);
        var read = await table.ReadRow(grain, "tick", None);
        Assert.NotNull(read);
        Assert.Equal(inserted, read.ETag);
        Assert.Equal(grain, read.GrainId);
        Assert.Equal("tick", read.ReminderName);
        Assert.Equal(reminder.StartAt, read.StartAt);
        Assert.Equal(reminder.Period, read.Period);

        // Longer than int.MaxValue milliseconds: Orleans then binds the period as a bigint.
        var changed = Reminder(grain, "tick", TimeSpan.FromDays(30));
        changed.StartAt = reminder.StartAt.AddHours(1);
        var updated = await table.UpsertRow(changed, None);
        Assert.NotEqual(inserted, updated);
        var reread = await table.ReadRow(grain, "tick", None);
        Assert.NotNull(reread);
        Assert.Equal(updated, reread.ETag);
        Assert.Equal(changed.StartAt, reread.StartAt);
        Assert.Equal(TimeSpan.FromDays(30), reread.Period);
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM orleans.reminder"));
    }

    [Fact]
    public async Task ReadRows_by_grain_returns_that_grains_reminders_of_this_service_only()
    {
        await using var db = await OrleansDatabase.CreateAsync();
        var table = await Providers.ReminderTableAsync(db, NewServiceId());
        var otherService = await Providers.ReminderTableAsync(db, NewServiceId());
        var grain = NewGrain();
        var otherGrain = NewGrain();
        await table.UpsertRow(Reminder(grain, "a"), None);
        await table.UpsertRow(Reminder(grain, "b"), None);
        await table.UpsertRow(Reminder(otherGrain, "a"), None);
        await otherService.UpsertRow(Reminder(grain, "c"), None);

        var rows = await table.ReadRows(grain, None);

        Assert.Equal(["a", "b"], rows.Reminders.Select(r => r.ReminderName).Order());
        Assert.All(rows.Reminders, r => Assert.Equal(grain, r.GrainId));
        Assert.Empty((await table.ReadRows(NewGrain(), None)).Reminders);
    }

    [Fact]
    public async Task ReadRows_by_hash_range_follows_the_ring_including_ranges_that_wrap()
    {
        await using var db = await OrleansDatabase.CreateAsync();
        var table = await Providers.ReminderTableAsync(db, NewServiceId());
        var otherService = await Providers.ReminderTableAsync(db, NewServiceId());
        var grains = Enumerable.Range(0, 300).Select(_ => NewGrain()).ToList();
        foreach (var grain in grains)
        {
            await table.UpsertRow(Reminder(grain, "tick"), None);
        }
        foreach (var grain in grains.Take(20))
        {
            await otherService.UpsertRow(Reminder(grain, "other"), None);
        }
        var hashes = grains.Select(g => g.GetUniformHashCode()).Order().ToArray();

        (uint Begin, uint End)[] ranges =
        [
            (0x1000_0000, 0x6000_0000),  // in the lower half
            (0x6000_0000, 0xA000_0000),  // across the middle, where the signed values Orleans binds change sign
            (0xC000_0000, 0x3000_0000),  // wraps past the top of the ring
            (0xE000_0000, 0xD000_0000),  // wraps, and almost all of the ring
            (hashes[10], hashes[50]),    // bounds on stored hashes: begin excluded, end included
            (hashes[250], hashes[40]),
            (0x8000_0000, 0x8000_0000),  // equal bounds: the whole ring
            (0, uint.MaxValue),
        ];
        foreach (var (begin, end) in ranges)
        {
            var expected = begin < end
                ? hashes.Where(h => h > begin && h <= end)
                : hashes.Where(h => h > begin || h <= end);
            var rows = await table.ReadRows(begin, end, None);
            Assert.All(rows.Reminders, r => Assert.Equal("tick", r.ReminderName));
            var actual = rows.Reminders.Select(r => r.GrainId.GetUniformHashCode()).Order();
            Assert.True(expected.Order().SequenceEqual(actual), $"range ({begin:X8}, {end:X8}]: expected {expected.Count()} rows, got {rows.Reminders.Count}");
            Assert.NotEmpty(rows.Reminders);
        }
    }

    [Fact]
    public async Task RemoveRow_needs_the_current_etag()
    {
        await using var db = await OrleansDatabase.CreateAsync();
        var table = await Providers.ReminderTableAsync(db, NewServiceId());
        var grain = NewGrain();
        var first = await table.UpsertRow(Reminder(grain, "tick"), None);
        var current = await table.UpsertRow(Reminder(grain, "tick"), None);

        Assert.False(await table.RemoveRow(grain, "tick", first!, None));
        Assert.NotNull(await table.ReadRow(grain, "tick", None));
        Assert.False(await table.RemoveRow(grain, "tock", current!, None));
        Assert.False(await table.RemoveRow(NewGrain(), "tick", current!, None));
        Assert.True(await table.RemoveRow(grain, "tick", current!, None));
        Assert.Null(await table.ReadRow(grain, "tick", None));
        Assert.False(await table.RemoveRow(grain, "tick", current!, None));

        // Registered again, the reminder gets an ETag no earlier holder can have.
        var again = await table.UpsertRow(Reminder(grain, "tick"), None);
        Assert.NotEqual(first, again);
        Assert.NotEqual(current, again);
        Assert.False(await table.RemoveRow(grain, "tick", current!, None));
        Assert.True(await table.RemoveRow(grain, "tick", again!, None));
    }
}
