using EmiPlatform.Data.Migrations;
using EmiPlatform.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace EmiPlatform.Orleans.Tests;

/// <summary>
/// A fresh database migrated with our own migrator and migrations/, with the connection string the Orleans providers
/// use: the emi_orleans role, Search Path=orleans (the providers name their catalogue table unqualified).
/// </summary>
public sealed class OrleansDatabase : IAsyncDisposable
{
    /// <summary>The ADO.NET invariant name Orleans maps to Npgsql's factory.</summary>
    public const string Invariant = "Npgsql";

    private readonly PlatformDatabase database;

    private OrleansDatabase(PlatformDatabase database) => this.database = database;

    public PlatformDatabase Database => database;

    public string Orleans =>
        new NpgsqlConnectionStringBuilder(ServerSettings.Require("EMI_PG_ORLEANS")) { Database = database.Name }.ConnectionString;

    public static async Task<OrleansDatabase> CreateAsync()
    {
        var database = await PlatformDatabase.CreateAsync();
        try
        {
            await new SqlMigrator(database.Owner, NullLogger<SqlMigrator>.Instance).MigrateAsync(MigrationCatalog.Embedded(), default);
            return new OrleansDatabase(database);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a query as the cluster's superuser, which sees every row: for assertions on what the providers wrote.</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(database.Superuser);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    public ValueTask DisposeAsync() => database.DisposeAsync();
}
