using Orleans;
using Orleans.Runtime;

namespace EmiPlatform.Orleans.Tests;

/// <summary>
/// Orleans's ADO.NET membership table (AdoNetClusteringTable from Microsoft.Orleans.Clustering.AdoNet) on our migration:
/// the extended membership protocol's version checks, heartbeats, reads, gateway listing and clean-up.
/// </summary>
public sealed class MembershipTableContractTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static string NewClusterId() => $"cluster-{Guid.NewGuid():N}";

    [Fact]
    public async Task A_new_cluster_reads_as_version_zero_without_members_and_initialising_again_keeps_it()
    {
        await using var db = await OrleansDatabase.CreateAsync();
        var clusterId = NewClusterId();
        var table = await Providers.MembershipTableAsync(db, clusterId);
        Assert.True(await table.InsertRowAsync(Silos.Entry(11111, SiloStatus.Active), (await table.ReadAllAsync(None)).Version.Next(), None));

        // A second silo starting up initialises the same cluster: it must not reset the version or the members.
        var again = await Providers.MembershipTableAsync(db, clusterId);
        var data = await again.ReadAllAsync(None);
        Assert.Equal(1, data.Version.Version);
        Assert.Single(data.Members);

        var fresh = await (await Providers.MembershipTableAsync(db, NewClusterId())).ReadAllAsync(None);
        Assert.Equal(0, fresh.Version.Version);
        Assert.Equal("0", fresh.Version.VersionEtag);
        Assert.Empty(fresh.Members);
    }

    [Fact]
    public async Task InsertRow_needs_the_current_table_version_and_refuses_duplicates()
    {
        await using var db = await OrleansDatabase.CreateAsync();
        var table = await Providers.MembershipTableAsync(db, NewClusterId());
        var start = await table.ReadAllAsync(None);
        var first = Silos.Entry(11111, SiloStatus.Joining);
        first.SuspectTimes = [Tuple.Create(Silos.Address(22222), Silos.Now().AddSeconds(-5))];

        Assert.True(await table.InsertRowAsync(first, start.Version.Next(), None));
        Assert.False(await table.InsertRowAsync(Silos.Entry(11112, SiloStatus.Joining), start.Version.Next(), None)); // stale version
        var afterOne = await table.ReadAllAsync(None);
        Assert.Equal(1, afterOne.Version.Version);
        Assert.False(await table.InsertRowAsync(first, afterOne.Version.Next(), None)); // same silo again

        var data = await table.ReadAllAsync(None);
        Assert.Equal(1, data.Version.Version); // a refused insert leaves the version where it was
        var (read, etag) = Assert.Single(data.Members);
        Assert.Equal(first.SiloAddress, read.SiloAddress);
        Assert.Equal(first.SiloName, read.SiloName);
        Assert.Equal(first.HostName, read.HostName);
        Assert.Equal(first.Status, read.Status);
        Assert.Equal(first.ProxyPort, read.ProxyPort);
        Assert.Equal(first.StartTime, read.StartTime);
        Assert.Equal(first.IAmAliveTime, read.IAmAliveTime);
        Assert.Null(read.SuspectTimes); // an insert carries no suspicions: Orleans only writes them on update
        Assert.NotNull(etag);
    }

    [Fact]
    public async Task UpdateRow_needs_the_current_table_version_and_moves_it_on_by_one()
    {
        await using var db = await OrleansDatabase.CreateAsync();
        var table = await Providers.MembershipTableAsync(db, NewClusterId());
        var entry = Silos.Entry(11111, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(None)).Version.Next(), None));
        var read = await table.ReadAllAsync(None);
        var (_, etag) = read.Members[0];
        var stale = (await table.ReadAllAsync(None)).Version;

        entry.Status = SiloStatus.Active;
        entry.IAmAliveTime = Silos.Now().AddSeconds(1);
        entry.SuspectTimes = [Tuple.Create(Silos.Address(22222), Silos.Now()), Tuple.Create(Silos.Address(33333), Silos.Now().AddSeconds(-3))];
        Assert.True(await table.UpdateRowAsync(entry, etag, read.Version.Next(), None));
        Assert.False(await table.UpdateRowAsync(entry, etag, stale.Next(), None)); // the version it read has moved on

        var after = await table.ReadRowAsync(entry.SiloAddress, None);
        Assert.Equal(2, after.Version.Version);
        var updated = Assert.Single(after.Members).Item1;
        Assert.Equal(SiloStatus.Active, updated.Status);
        Assert.Equal(entry.IAmAliveTime, updated.IAmAliveTime);
        Assert.Equal(
            entry.SuspectTimes.Select(s => (s.Item1, s.Item2)),
            updated.SuspectTimes!.Select(s => (s.Item1, s.Item2)));

        // An update of a silo the table does not have changes nothing, not even the version.
        Assert.False(await table.UpdateRowAsync(Silos.Entry(44444, SiloStatus.Active), etag, after.Version.Next(), None));
        Assert.Equal(2, (await table.ReadAllAsync(None)).Version.Version);
    }

    [Fact]
    public async Task UpdateRow_never_moves_the_heartbeat_backwards()
    {
        await using var db = await OrleansDatabase.CreateAsync();
        var table = await Providers.MembershipTableAsync(db, NewClusterId());
        var entry = Silos.Entry(11111, SiloStatus.Joining, Silos.Now().AddMinutes(-1));
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(None)).Version.Next(), None));
        var read = await table.ReadAllAsync(None);

        var heartbeat = Silos.Now();
        await table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = entry.SiloAddress, IAmAliveTime = heartbeat }, None);
        entry.Status = SiloStatus.Active; // written from the copy read before the heartbeat
        Assert.True(await table.UpdateRowAsync(entry, read.Members[0].Item2, read.Version.Next(), None));

        var after = Assert.Single((await table.ReadAllAsync(None)).Members).Item1;
        Assert.Equal(SiloStatus.Active, after.Status);
        Assert.Equal(heartbeat, after.IAmAliveTime);
    }

    [Fact]
    public async Task Of_concurrent_writers_holding_the_same_version_exactly_one_wins()
    {
        await using var db = await OrleansDatabase.CreateAsync();
        var clusterId = NewClusterId();
        var table = await Providers.MembershipTableAsync(db, clusterId);
        var entry = Silos.Entry(11111, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(None)).Version.Next(), None));
        var read = await table.ReadAllAsync(None);

        var writers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            var own = await Providers.MembershipTableAsync(db, clusterId); // a provider of its own, as each silo has
            var copy = Silos.Entry(11111, SiloStatus.Active);
            copy.SiloAddress = entry.SiloAddress;
            copy.IAmAliveTime = Silos.Now().AddSeconds(i);
            return await own.UpdateRowAsync(copy, read.Members[0].Item2, read.Version.Next(), None);
        }));

        Assert.Equal(1, writers.Count(won => won));
        Assert.Equal(2, (await table.ReadAllAsync(None)).Version.Version);
    }

    [Fact]
    public async Task UpdateIAmAlive_changes_the_heartbeat_only()
    {
        await using var db = await OrleansDatabase.CreateAsync();
        var table = await Providers.MembershipTableAsync(db, NewClusterId());
        var entry = Silos.Entry(11111, SiloStatus.Active, Silos.Now().AddMinutes(-2));
        var other = Silos.Entry(11112, SiloStatus.Active, Silos.Now().AddMinutes(-2));
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(None)).Version.Next(), None));
        Assert.True(await table.InsertRowAsync(other, (await table.ReadAllAsync(None)).Version.Next(), None));

        var alive = Silos.Now();
        // As the membership agent sends it: only the address and the time are set.
        await table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = entry.SiloAddress, IAmAliveTime = alive }, None);

        var data = await table.ReadAllAsync(None);
        Assert.Equal(2, data.Version.Version); // heartbeats are not versioned
        var members = data.Members.Select(m => m.Item1).ToDictionary(m => m.SiloAddress);
        Assert.Equal(alive, members[entry.SiloAddress].IAmAliveTime);
        Assert.Equal(SiloStatus.Active, members[entry.SiloAddress].Status);
        Assert.Equal(entry.StartTime, members[entry.SiloAddress].StartTime);
        Assert.Equal(other.IAmAliveTime, members[other.SiloAddress].IAmAliveTime);
    }

    [Fact]
    public async Task ReadRow_returns_the_named_silo_and_the_version_even_when_it_is_absent()
    {
        await using var db = await OrleansDatabase.CreateAsync();
        var table = await Providers.MembershipTableAsync(db, NewClusterId());
        var one = Silos.Entry(11111, SiloStatus.Active);
        var two = Silos.Entry(11112, SiloStatus.Active);
        Assert.True(await table.InsertRowAsync(one, (await table.ReadAllAsync(None)).Version.Next(), None));
        Assert.True(await table.InsertRowAsync(two, (await table.ReadAllAsync(None)).Version.Next(), None));

        var row = await table.ReadRowAsync(two.SiloAddress, None);
        Assert.Equal(two.SiloAddress, Assert.Single(row.Members).Item1.SiloAddress);
        Assert.Equal(2, row.Version.Version);

        var missing = await table.ReadRowAsync(Silos.Address(11111), None); // same endpoint, another generation
        Assert.Empty(missing.Members);
        Assert.Equal(2, missing.Version.Version);

        Assert.Equal(2, (await table.ReadAllAsync(None)).Members.Count);
    }

    [Fact]
    public async Task Gateways_are_the_active_silos_of_the_cluster_that_have_a_gateway_port()
    {
        await using var db = await OrleansDatabase.CreateAsync();
        var clusterId = NewClusterId();
        var table = await Providers.MembershipTableAsync(db, clusterId);
        var activeGateway = Silos.Entry(11111, SiloStatus.Active);
        var secondGateway = Silos.Entry(11112, SiloStatus.Active);
        var noGatewayPort = Silos.Entry(11113, SiloStatus.Active, gatewayPort: 0);
        var joining = Silos.Entry(11114, SiloStatus.Joining);
        var dead = Silos.Entry(11115, SiloStatus.Dead);
        foreach (var entry in new[] { activeGateway, secondGateway, noGatewayPort, joining, dead })
        {
            Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(None)).Version.Next(), None));
        }
        var elsewhere = await Providers.MembershipTableAsync(db, NewClusterId());
        Assert.True(await elsewhere.InsertRowAsync(Silos.Entry(11116, SiloStatus.Active), (await elsewhere.ReadAllAsync(None)).Version.Next(), None));

        var gateways = await (await Providers.GatewayListProviderAsync(db, clusterId)).GetGateways();

        var expected = new[] { activeGateway, secondGateway }
            .Select(e => SiloAddress.New(e.SiloAddress.Endpoint.Address, e.ProxyPort, e.SiloAddress.Generation).ToGatewayUri().ToString());
        Assert.Equal(expected.Order(), gateways.Select(g => g.ToString()).Order());
    }

    [Fact]
    public async Task Cleanup_forgets_silos_that_died_before_the_cutoff_and_keeps_the_rest()
    {
        await using var db = await OrleansDatabase.CreateAsync();
        var clusterId = NewClusterId();
        var table = await Providers.MembershipTableAsync(db, clusterId);
        var longAgo = Silos.Now().AddDays(-10);
        var oldDead = Silos.Entry(11111, SiloStatus.Dead, longAgo);
        var oldDeadWithEmptyVotes = Silos.Entry(11112, SiloStatus.Dead, longAgo);
        var oldActive = Silos.Entry(11113, SiloStatus.Active, longAgo); // stale heartbeat, but not declared dead
        var oldJoining = Silos.Entry(11114, SiloStatus.Joining, longAgo);
        var recentDead = Silos.Entry(11115, SiloStatus.Dead);
        var oldDeadRecentVote = Silos.Entry(11116, SiloStatus.Dead, longAgo);
        var live = Silos.Entry(11117, SiloStatus.Active);
        foreach (var entry in new[] { oldDead, oldDeadWithEmptyVotes, oldActive, oldJoining, recentDead, oldDeadRecentVote, live })
        {
            Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(None)).Version.Next(), None));
        }
        // Suspicions are written by updates: one vote cast recently keeps a dead row, an empty list does not.
        var data = await table.ReadAllAsync(None);
        oldDeadRecentVote.SuspectTimes = [Tuple.Create(live.SiloAddress, Silos.Now().AddHours(-1))];
        Assert.True(await table.UpdateRowAsync(oldDeadRecentVote, data.Members[0].Item2, data.Version.Next(), None));
        data = await table.ReadAllAsync(None);
        oldDeadWithEmptyVotes.SuspectTimes = [];
        Assert.True(await table.UpdateRowAsync(oldDeadWithEmptyVotes, data.Members[0].Item2, data.Version.Next(), None));
        var otherCluster = await Providers.MembershipTableAsync(db, NewClusterId());
        var otherOldDead = Silos.Entry(11118, SiloStatus.Dead, longAgo);
        Assert.True(await otherCluster.InsertRowAsync(otherOldDead, (await otherCluster.ReadAllAsync(None)).Version.Next(), None));
        var versionBefore = (await table.ReadAllAsync(None)).Version.Version;

        await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddDays(-1), None);

        var after = await table.ReadAllAsync(None);
        Assert.Equal(
            new[] { oldActive, oldJoining, recentDead, oldDeadRecentVote, live }.Select(e => e.SiloAddress).Order(),
            after.Members.Select(m => m.Item1.SiloAddress).Order());
        Assert.Equal(versionBefore, after.Version.Version);
        Assert.Single((await otherCluster.ReadAllAsync(None)).Members);
    }

    [Fact]
    public async Task DeleteMembershipTableEntries_removes_one_cluster_whole()
    {
        await using var db = await OrleansDatabase.CreateAsync();
        var clusterId = NewClusterId();
        var table = await Providers.MembershipTableAsync(db, clusterId);
        Assert.True(await table.InsertRowAsync(Silos.Entry(11111, SiloStatus.Active), (await table.ReadAllAsync(None)).Version.Next(), None));
        var other = await Providers.MembershipTableAsync(db, NewClusterId());
        Assert.True(await other.InsertRowAsync(Silos.Entry(11112, SiloStatus.Active), (await other.ReadAllAsync(None)).Version.Next(), None));

        await table.DeleteMembershipTableEntriesAsync(clusterId, None);

        Assert.Equal(0L, await db.ScalarAsync($"SELECT count(*) FROM orleans.membership_version WHERE cluster_id = '{clusterId}'"));
        Assert.Equal(0L, await db.ScalarAsync($"SELECT count(*) FROM orleans.membership_silo WHERE cluster_id = '{clusterId}'"));
        Assert.Single((await other.ReadAllAsync(None)).Members);
        // The cluster can start again from version 0.
        var restarted = await (await Providers.MembershipTableAsync(db, clusterId)).ReadAllAsync(None);
        Assert.Equal(0, restarted.Version.Version);
        Assert.Empty(restarted.Members);
    }
}
