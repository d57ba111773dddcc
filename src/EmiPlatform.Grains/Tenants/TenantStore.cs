using EmiPlatform.Data;
using Npgsql;

namespace EmiPlatform.Grains.Tenants;

/// <summary>The tenant grain's erasure statements (admin role: the tenant row is the platform's, not the tenant's).</summary>
public sealed class TenantStore(EmiDataSources database)
{
    public async Task<List<Guid>> StudiesAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand("SELECT id FROM studies WHERE tenant_id = $1 ORDER BY created_at, id");
        command.Parameters.Add(new() { Value = tenantId });
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetGuid(0));
        }
        return ids;
    }

    /// <summary>
    /// Deletes the tenant's row (its keys, webhooks and deliveries cascade) once it owns no study. The row is locked
    /// first, which waits for any insert that references the tenant and holds off new ones, so a study created meanwhile
    /// is seen. True: deleted; null: a study is left, erase it first; false: no such tenant.
    /// </summary>
    public async Task<bool?> DeleteIfNoStudiesAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await database.Admin.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new("SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE") { Parameters = { new() { Value = tenantId } } },
                new("SELECT EXISTS (SELECT 1 FROM studies WHERE tenant_id = $1)") { Parameters = { new() { Value = tenantId } } },
            },
        };
        bool exists, studies;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            exists = await reader.ReadAsync(cancellationToken);
            await reader.NextResultAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            studies = reader.GetBoolean(0);
        }
        if (!exists || studies)
        {
            await transaction.RollbackAsync(cancellationToken);
            return exists ? null : false;
        }
        await using var delete = new NpgsqlCommand("DELETE FROM tenants WHERE id = $1", connection, transaction) { Parameters = { new() { Value = tenantId } } };
        await delete.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
