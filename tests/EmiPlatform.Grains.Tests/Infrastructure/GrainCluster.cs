using System.Globalization;
using EmiPlatform.Abstractions.Silos;
using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Contracts.Transport;
using EmiPlatform.Data;
using EmiPlatform.Data.Jobs;
using EmiPlatform.Data.Migrations;
using EmiPlatform.Grains.Studies;
using EmiPlatform.Grains.Tenants;
using EmiPlatform.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Hosting;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.TestingHost;

namespace EmiPlatform.Grains.Tests.Infrastructure;

/// <summary>
/// One silo of Orleans.TestingHost's in-process cluster hosting the coordinator grains, wired as a coordinator silo
/// is (data sources, stores, options, silo metadata with the scoring slots, in-memory reminders), over a fresh
/// migrated database on the real PostgreSQL and a real MassTransit in-memory bus whose scoring queue feeds
/// <see cref="Inbox"/>. The test side plays the scoring silo through the real <see cref="JobStore"/> transitions.
/// </summary>
public sealed class GrainCluster : IAsyncDisposable
{
    public const string Worker = "test-scoring-silo";
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    private readonly PlatformDatabase _database;
    private readonly InProcessTestCluster _cluster;
    private readonly EmiDataSources _data;

    private GrainCluster(PlatformDatabase database, InProcessTestCluster cluster, ScoreInbox inbox)
    {
        _database = database;
        _cluster = cluster;
        Inbox = inbox;
        _data = EmiDataSources.Create(database.Admin, database.App);
        Jobs = new JobStore(_data);
        Seed = new Seed(database.Owner);
    }

    public ScoreInbox Inbox { get; }
    public JobStore Jobs { get; }
    public Seed Seed { get; }
    public IClusterClient Client => _cluster.Client;

    /// <param name="slots">The scoring slots the silo advertises: every tenant's share unless its row sets one.</param>
    public static async Task<GrainCluster> StartAsync(int slots = 2, Action<CoordinationOptions>? coordination = null)
    {
        var database = await PlatformDatabase.CreateAsync();
        try
        {
            await new SqlMigrator(database.Owner, NullLogger<SqlMigrator>.Instance).MigrateAsync(MigrationCatalog.Embedded(), default);
            var inbox = new ScoreInbox();
            var builder = new InProcessTestClusterBuilder(1);
            builder.ConfigureSilo((_, silo) => silo
                .UseInMemoryReminderService()
                .UseSiloMetadata(new Dictionary<string, string> { [SiloMetadataKeys.Slots] = slots.ToString(CultureInfo.InvariantCulture) }));
            builder.ConfigureSiloHost((_, host) =>
            {
                host.Logging.SetMinimumLevel(LogLevel.Warning);
                var services = host.Services;
                services.AddSingleton(_ => EmiDataSources.Create(database.Admin, database.App));
                services.AddEmiDataSources();
                services.AddSingleton<StudyStore>();
                services.AddSingleton<TenantLimitsReader>();
                services.AddSingleton<TenantStore>();
                services.AddSingleton<ClusterSlots>();
                services.AddOptions<CoordinationOptions>().Configure(o => coordination?.Invoke(o));
                services.AddOptions<MessagingOptions>();
                services.AddSingleton(inbox);
                services.AddMassTransit(x =>
                {
                    x.AddConsumer<ScoreInboxConsumer>();
                    x.UsingInMemory((context, cfg) => cfg.ReceiveEndpoint(new MessagingOptions().ScoreQueue, e =>
                    {
                        e.ConcurrentMessageLimit = 1;
                        e.ConfigureConsumer<ScoreInboxConsumer>(context);
                    }));
                });
            });
            var cluster = builder.Build();
            await cluster.DeployAsync();
            return new GrainCluster(database, cluster, inbox);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    public IStudyGrain Study(Guid studyId) => Client.GetGrain<IStudyGrain>(studyId);

    /// <summary>Ends the grain's activation; the next call activates it again from PostgreSQL.</summary>
    public Task DeactivateAsync(IAddressable grain) => _cluster.DeactivateAsync(grain);

    /// <summary>A scoring silo takes the job (the real claim) and tells its study grain.</summary>
    public async Task<ClaimedJob> ClaimAsync(Guid jobId)
    {
        var claimed = await Jobs.ClaimAsync(jobId, Worker, Lease, CancellationToken.None)
            ?? throw new InvalidOperationException($"job {jobId} was not queued");
        await Study(claimed.StudyId).JobChangedAsync(jobId);
        return claimed;
    }

    /// <summary>A scoring silo commits the attempt's success, then reports it to the study grain.</summary>
    public async Task SucceedAsync(ClaimedJob job)
    {
        await CommitSuccessAsync(job);
        await Study(job.StudyId).JobChangedAsync(job.Id);
    }

    /// <summary>The attempt's success as the timeline writer commits it: the owned row locked, then marked succeeded.</summary>
    public async Task CommitSuccessAsync(ClaimedJob job)
    {
        await using var connection = await _data.Admin.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        Assert.True(await JobStore.LockOwnedAsync(connection, job, CancellationToken.None), $"job {job.Id} is no longer this attempt's");
        await JobStore.SucceedAsync(connection, job, "test", CancellationToken.None);
        await transaction.CommitAsync();
    }

    /// <summary>A scoring silo's timeline write for the job, held open with the job row locked (<see cref="TimelineWrite"/>).</summary>
    public Task<TimelineWrite> BeginTimelineWriteAsync(ClaimedJob job) => TimelineWrite.BeginAsync(_data.Admin, job);

    /// <summary>Waits until a statement on this database waits for a lock (an erasure has reached a held row).</summary>
    public Task WaitForLockWaitAsync() => Eventually.WaitAsync(async () => await CountAsync(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") > 0, Patience, "a statement waiting for a lock");

    public async Task<FinishedJob?> FailAttemptAsync(ClaimedJob job, string error)
    {
        var finished = await Jobs.FailAttemptAsync(job, error, TimeSpan.Zero, CancellationToken.None);
        await Study(job.StudyId).JobChangedAsync(job.Id);
        return finished;
    }

    /// <summary>How long a test waits for grain timers and one-way calls, which finish on their own time.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Runs a query as the superuser, which sees every tenant's rows: for assertions.</summary>
    public Task<T> ScalarAsync<T>(string sql, params object[] parameters) => _database.ScalarAsync<T>(sql, parameters);

    public Task<long> CountAsync(string sql, params object[] parameters) => ScalarAsync<long>(sql, parameters);

    public Task ExecuteAsync(string sql, params object[] parameters) => _database.ExecuteAsync(sql, parameters);

    public async ValueTask DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
        await _data.DisposeAsync();
        await _database.DisposeAsync();
    }
}
