using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace EmiPlatform.Data.Tenancy;

/// <summary>
/// Tells PostgreSQL which tenant a connection acts for, so row-level security filters every statement even if a query
/// forgets its own tenant filter. Set on each open: pooled connections are reset when returned, so a setting never
/// outlives the request. Without a tenant the setting is empty and the policies match no rows.
/// </summary>
public sealed class TenantSessionInterceptor(ITenantScope scope) : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = CreateCommand(connection);
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = CreateCommand(connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private DbCommand CreateCommand(DbConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = "SELECT set_config('app.tenant_id', @tenant, false)";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "tenant";
        parameter.Value = scope.TenantId?.ToString() ?? string.Empty;
        command.Parameters.Add(parameter);
        return command;
    }
}
