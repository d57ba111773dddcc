using Microsoft.Extensions.Logging;
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

    /// <summary>
    /// With <paramref name="loggerFactory"/>, Npgsql's own warnings and errors reach the host's logs (without it they go
    /// nowhere). Parameter values are never logged: EnableParameterLogging stays off.
    /// </summary>
    public static EmiDataSources Create(string adminConnectionString, string appConnectionString, ILoggerFactory? loggerFactory = null) =>
        new(Build(adminConnectionString, loggerFactory), Build(appConnectionString, loggerFactory));

    private static NpgsqlDataSource Build(string connectionString, ILoggerFactory? loggerFactory)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (loggerFactory is not null)
        {
            builder.UseLoggerFactory(loggerFactory);
        }
        return builder.Build();
    }

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
