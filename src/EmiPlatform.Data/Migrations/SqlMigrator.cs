using Microsoft.Extensions.Logging;
using Npgsql;

namespace EmiPlatform.Data.Migrations;

/// <summary>
/// Applies migrations/ in order: one transaction per file, a history table with checksums, and a session advisory lock
/// so two processes starting together apply each file once. Refuses to run when an applied file was edited.
/// </summary>
public sealed class SqlMigrator(string connectionString, ILogger<SqlMigrator> logger)
{
    // Any constant works; it only has to be the same in every process that migrates this database.
    private const long AdvisoryLockKey = 0x454D495F4D494752; // "EMI_MIGR"

    private const string HistoryDdl = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version     integer PRIMARY KEY,
            name        text        NOT NULL,
            checksum    text        NOT NULL,
            applied_at  timestamptz NOT NULL DEFAULT now()
        )
        """;

    public async Task<IReadOnlyList<MigrationScript>> MigrateAsync(IReadOnlyList<MigrationScript> scripts, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({AdvisoryLockKey})", cancellationToken);
        try
        {
            await ExecuteAsync(connection, HistoryDdl, cancellationToken);
            var pending = Pending(scripts, await AppliedAsync(connection, cancellationToken));
            foreach (var script in pending)
            {
                await ApplyAsync(connection, script, cancellationToken);
            }
            return pending;
        }
        finally
        {
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    /// <summary>The scripts not yet applied; throws like <see cref="MigrateAsync"/> when the history disagrees with the files.</summary>
    public async Task<IReadOnlyList<MigrationScript>> PendingAsync(IReadOnlyList<MigrationScript> scripts, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT to_regclass('schema_migrations') IS NOT NULL", connection);
        var hasHistory = (bool)(await exists.ExecuteScalarAsync(cancellationToken))!;
        return hasHistory ? Pending(scripts, await AppliedAsync(connection, cancellationToken)) : scripts;
    }

    private static List<MigrationScript> Pending(IReadOnlyList<MigrationScript> scripts, Dictionary<int, (string Name, string Checksum)> applied)
    {
        var known = scripts.ToDictionary(s => s.Version);
        foreach (var (version, row) in applied)
        {
            if (!known.TryGetValue(version, out var script))
            {
                throw new MigrationException(
                    $"The database has migration {version:D4}_{row.Name}, which this build does not contain. Deploy a build that has it.");
            }
            if (script.Checksum != row.Checksum)
            {
                throw new MigrationException(
                    $"Migration {version:D4}_{script.Name}.sql was edited after it was applied (checksum {row.Checksum} in the database, " +
                    $"{script.Checksum} in the file). Applied migrations are immutable: restore the file and add a new migration.");
            }
        }
        return [.. scripts.Where(s => !applied.ContainsKey(s.Version))];
    }

    private async Task ApplyAsync(NpgsqlConnection connection, MigrationScript script, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await using (var body = new NpgsqlCommand(script.Sql, connection, transaction))
            {
                await body.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var record = new NpgsqlCommand(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (@v, @n, @c)", connection, transaction);
            record.Parameters.AddWithValue("v", script.Version);
            record.Parameters.AddWithValue("n", script.Name);
            record.Parameters.AddWithValue("c", script.Checksum);
            await record.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (PostgresException ex)
        {
            throw new MigrationException($"Migration {script.Version:D4}_{script.Name}.sql failed and was rolled back: {ex.MessageText}", ex);
        }
        logger.LogInformation("Applied migration {Version:D4}_{Name}", script.Version, script.Name);
    }

    private static async Task<Dictionary<int, (string Name, string Checksum)>> AppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT version, name, checksum FROM schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var applied = new Dictionary<int, (string, string)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetInt32(0)] = (reader.GetString(1), reader.GetString(2));
        }
        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
