using EmiPlatform.Data;

namespace EmiPlatform.Grains.Tenants;

/// <summary>Reads a tenant's row for its grain (admin role: the grain acts for the platform, not for a request).</summary>
public sealed class TenantLimitsReader(EmiDataSources database)
{
    public async Task<TenantLimits?> ReadAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand("""
            SELECT status <> 'active', max_storage_bytes, max_recordings, used_storage_bytes, used_recordings, max_concurrent_jobs
            FROM tenants WHERE id = $1
            """);
        command.Parameters.Add(new() { Value = tenantId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new TenantLimits(reader.GetBoolean(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt32(2),
            reader.GetInt64(3), reader.GetInt32(4), reader.IsDBNull(5) ? null : reader.GetInt32(5));
    }
}
