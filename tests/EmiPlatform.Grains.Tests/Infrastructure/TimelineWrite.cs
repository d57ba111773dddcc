using EmiPlatform.Data.Jobs;
using Npgsql;

namespace EmiPlatform.Grains.Tests.Infrastructure;

/// <summary>
/// A scoring silo's timeline write held open half-way, as <c>TimelineWriter</c> takes its locks: the owned job row
/// first (<see cref="JobStore.LockOwnedAsync"/>); <see cref="CommitAsync"/> then takes the recording the way the
/// timeline rows' foreign key does (FOR KEY SHARE) and commits the success. An erasure that took the recording before
/// the job would deadlock with it.
/// </summary>
public sealed class TimelineWrite : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly ClaimedJob _job;

    private TimelineWrite(NpgsqlConnection connection, NpgsqlTransaction transaction, ClaimedJob job) =>
        (_connection, _transaction, _job) = (connection, transaction, job);

    public static async Task<TimelineWrite> BeginAsync(NpgsqlDataSource admin, ClaimedJob job)
    {
        var connection = await admin.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        Assert.True(await JobStore.LockOwnedAsync(connection, job, CancellationToken.None), $"job {job.Id} is no longer this attempt's");
        return new TimelineWrite(connection, transaction, job);
    }

    public async Task CommitAsync()
    {
        await using (var recording = new NpgsqlCommand("SELECT 1 FROM recordings WHERE id = $1 FOR KEY SHARE", _connection, _transaction)
        {
            Parameters = { new() { Value = _job.RecordingId } },
        })
        {
            await recording.ExecuteNonQueryAsync();
        }
        await JobStore.SucceedAsync(_connection, _job, "test", CancellationToken.None);
        await _transaction.CommitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
