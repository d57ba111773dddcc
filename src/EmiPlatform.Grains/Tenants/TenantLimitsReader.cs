using EmiPlatform.Data;

namespace EmiPlatform.Grains.Tenants;

/// <summary>Reads a tenant's row for its grain (admin role: the grain acts for the platform, not for a request).</summary>
public sealed class TenantLimitsReader(EmiDataSources database)
{
    public async Task<TenantLimits?> ReadAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        // An upload is open until its SAS expires by the database's clock, as DirectUploadQueries.Open reads it.
        await using var command = database.Admin.CreateCommand("""
            SELECT t.status <> 'active', t.max_storage_bytes, t.max_recordings, t.used_storage_bytes, t.used_recordings, t.max_concurrent_jobs,
                   u.reserved, u.open
            FROM tenants t
            CROSS JOIN LATERAL (SELECT COALESCE(sum(reserved_bytes), 0)::bigint AS reserved, count(*)::integer AS open
                                FROM direct_uploads WHERE tenant_id = t.id AND expires_at > now()) u
            WHERE t.id = $1
            """);
        command.Parameters.Add(new() { Value = tenantId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new TenantLimits(reader.GetBoolean(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt32(2),
            reader.GetInt64(3), reader.GetInt32(4), reader.IsDBNull(5) ? null : reader.GetInt32(5), reader.GetInt64(6), reader.GetInt32(7));
    }
}
