using Npgsql;

namespace EmiPlatform.Data;

/// <summary>
/// The two roles coordination and scoring use outside a request. Claims, leases and scheduling span a tenant's
/// studies or every tenant, so they run on the admin role; a study's registrations and a job's results are written on
/// the application role with that tenant set, so row-level security still guards them.
/// </summary>
public sealed class EmiDataSources(NpgsqlDataSource admin, NpgsqlDataSource app) : IAsyncDisposable
{
    public NpgsqlDataSource Admin { get; } = admin;
    public NpgsqlDataSource App { get; } = app;

    public static EmiDataSources Create(string adminConnectionString, string appConnectionString) =>
        new(NpgsqlDataSource.Create(adminConnectionString), NpgsqlDataSource.Create(appConnectionString));

    /// <summary>An application-role connection acting for <paramref name="tenantId"/> for the rest of its transaction.</summary>
    public async Task<(NpgsqlConnection Connection, NpgsqlTransaction Transaction)> BeginTenantTransactionAsync(
        Guid tenantId, CancellationToken cancellationToken)
    {
        var connection = await App.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT set_config('app.tenant_id', $1, true)", connection, transaction);
            command.Parameters.Add(new() { Value = tenantId.ToString() });
            await command.ExecuteNonQueryAsync(cancellationToken);
            return (connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Admin.DisposeAsync();
        await App.DisposeAsync();
    }
}
