using System.Globalization;
using Npgsql;

namespace EmiPlatform.Harness;

/// <summary>
/// A fresh database on a real PostgreSQL server (by default the shared one), owned by emi_owner, dropped on dispose:
/// no two test classes or benchmark runs share data. Its connection strings for each role, and the superuser's queries
/// for assertions.
/// </summary>
public sealed class PlatformDatabase : IAsyncDisposable
{
    private readonly PgServer _server;

    private PlatformDatabase(string name, PgServer server)
    {
        Name = name;
        _server = server;
    }

    public string Name { get; }
    public string Owner => With(_server.Owner);
    public string App => With(_server.App);
    public string Admin => With(_server.Admin);

    /// <summary>The emi_orleans role on this database, as the Orleans ADO.NET providers connect.</summary>
    public string Orleans => With(_server.Orleans);

    /// <summary>The cluster's superuser on this database: sees every tenant's rows, for assertions.</summary>
    public string Superuser => With(_server.Superuser);

    /// <summary>Creates <c><paramref name="prefix"/>_&lt;guid&gt;</c> on <paramref name="server"/> (default <see cref="PgServer.Shared"/>).</summary>
    public static async Task<PlatformDatabase> CreateAsync(string prefix = "emi_test", PgServer? server = null)
    {
        var db = new PlatformDatabase($"{prefix}_{Guid.NewGuid():N}", server ?? PgServer.Shared);
        await RunAsync(db._server.Superuser, $"CREATE DATABASE {db.Name} OWNER emi_owner");
        return db;
    }

    /// <summary>The first column of the first row (as <typeparamref name="T"/>, converted where the types differ), or default when there is none.</summary>
    public async Task<T> ScalarAsync<T>(string sql, params object[] values)
    {
        await using var connection = new NpgsqlConnection(Superuser);
        await connection.OpenAsync();
        await using var command = Command(connection, sql, values);
        return await command.ExecuteScalarAsync() switch
        {
            null or DBNull => default!,
            T value => value,
            var other => (T)Convert.ChangeType(other, typeof(T), CultureInfo.InvariantCulture),
        };
    }

    public async Task<List<object[]>> RowsAsync(string sql, params object[] values)
    {
        await using var connection = new NpgsqlConnection(Superuser);
        await connection.OpenAsync();
        await using var command = Command(connection, sql, values);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object[]>();
        while (await reader.ReadAsync())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }
        return rows;
    }

    public async Task ExecuteAsync(string sql, params object[] values)
    {
        await using var connection = new NpgsqlConnection(Superuser);
        await connection.OpenAsync();
        await using var command = Command(connection, sql, values);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await RunAsync(_server.Superuser, $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object[] values)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        return command;
    }

    private static async Task RunAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private string With(string server) => new NpgsqlConnectionStringBuilder(server) { Database = Name }.ConnectionString;
}
