using Npgsql;

namespace EmiPlatform.Testing;

/// <summary>A fresh database on the real PostgreSQL cluster, owned by emi_owner, dropped on dispose: tests never share data.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public string Name { get; } = $"emi_test_{Guid.NewGuid():N}";
    public string Owner => With("EMI_PG_OWNER");
    public string App => With("EMI_PG_APP");
    public string Admin => With("EMI_PG_ADMIN");

    /// <summary>The cluster's superuser on this database: sees every tenant's rows, for assertions.</summary>
    public string Superuser => With("EMI_PG");

    private TestDatabase() { }

    public static async Task<TestDatabase> CreateAsync()
    {
        var db = new TestDatabase();
        await using var connection = new NpgsqlConnection(TestEnvironment.Require("EMI_PG"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {db.Name} OWNER emi_owner", connection);
        await command.ExecuteNonQueryAsync();
        return db;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(TestEnvironment.Require("EMI_PG"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    private string With(string variable) =>
        new NpgsqlConnectionStringBuilder(TestEnvironment.Require(variable)) { Database = Name }.ConnectionString;
}
