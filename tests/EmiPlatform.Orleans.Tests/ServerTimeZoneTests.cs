using Orleans;
using Orleans.Runtime;

namespace EmiPlatform.Orleans.Tests;

/// <summary>
/// Orleans binds UTC DateTime values; the columns are timestamptz. A server whose sessions run in another time zone
/// must neither shift the times nor break the equality the captured-row clean-up depends on.
/// </summary>
public sealed class ServerTimeZoneTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Times_round_trip_and_cleanup_matches_when_the_session_time_zone_is_not_utc()
    {
        await using var db = await OrleansDatabase.CreateAsync();
        await db.ScalarAsync($"ALTER DATABASE {db.Database.Name} SET TimeZone = 'Pacific/Chatham'"); // UTC+12:45 or +13:45
        var table = await Providers.MembershipTableAsync(db, $"cluster-{Guid.NewGuid():N}");
        var old = Silos.Now().AddDays(-10);
        var dead = Silos.Entry(11111, SiloStatus.Dead, old);
        var live = Silos.Entry(11112, SiloStatus.Active);
        Assert.True(await table.InsertRowAsync(dead, (await table.ReadAllAsync(None)).Version.Next(), None));
        Assert.True(await table.InsertRowAsync(live, (await table.ReadAllAsync(None)).Version.Next(), None));

        var read = (await table.ReadAllAsync(None)).Members.Select(m => m.Item1).ToDictionary(m => m.SiloAddress);
        Assert.Equal(old, read[dead.SiloAddress].StartTime);
        Assert.Equal(DateTimeKind.Utc, read[dead.SiloAddress].StartTime.Kind);
        Assert.Equal(live.IAmAliveTime, read[live.SiloAddress].IAmAliveTime);
        Assert.Equal("Pacific/Chatham", await ScalarAsOrleansAsync(db, "SHOW TimeZone"));

        // A cut-off between the two: only a wrong offset (hours) or a failed equality would change the outcome.
        await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddDays(-1), None);
        Assert.Equal([live.SiloAddress], (await table.ReadAllAsync(None)).Members.Select(m => m.Item1.SiloAddress));

        var reminders = await Providers.ReminderTableAsync(db, $"service-{Guid.NewGuid():N}");
        var grain = GrainId.Create("reminder-probe", "tz");
        var startAt = Silos.Now().AddMinutes(5);
        await reminders.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "tick", StartAt = startAt, Period = TimeSpan.FromMinutes(1) }, None);
        Assert.Equal(startAt, (await reminders.ReadRow(grain, "tick", None))!.StartAt);
    }

    private static async Task<object?> ScalarAsOrleansAsync(OrleansDatabase db, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(db.Orleans);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
