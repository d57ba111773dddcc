using Npgsql;

namespace EmiPlatform.Orleans.Tests;

/// <summary>The orleans schema belongs to emi_orleans, has no row-level security, and is closed to the platform's other roles.</summary>
public sealed class OrleansSchemaTests
{
    [Fact]
    public async Task Everything_in_the_schema_belongs_to_emi_orleans_without_row_level_security()
    {
        await using var db = await OrleansDatabase.CreateAsync();

        Assert.Equal("emi_orleans", await db.ScalarAsync("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'orleans'"));
        Assert.Equal(0L, await db.ScalarAsync("""
            SELECT count(*) FROM pg_class WHERE relnamespace = 'orleans'::regnamespace AND pg_get_userbyid(relowner) <> 'emi_orleans'
            """));
        Assert.Equal(0L, await db.ScalarAsync("""
            SELECT count(*) FROM pg_proc WHERE pronamespace = 'orleans'::regnamespace AND pg_get_userbyid(proowner) <> 'emi_orleans'
            """));
        Assert.Equal(
            "membership_silo,membership_version,orleansquery,reminder",
            await db.ScalarAsync("SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'orleans'"));
        Assert.Equal(0L, await db.ScalarAsync("""
            SELECT count(*) FROM pg_class WHERE relnamespace = 'orleans'::regnamespace AND (relrowsecurity OR relforcerowsecurity)
            """));
    }

    [Theory]
    [InlineData("EMI_PG_APP")]
    [InlineData("EMI_PG_ADMIN")]
    public async Task The_platforms_own_roles_cannot_reach_the_schema(string role)
    {
        await using var db = await OrleansDatabase.CreateAsync();
        var connectionString = role == "EMI_PG_APP" ? db.Database.App : db.Database.Admin;

        var error = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(connectionString, "SELECT count(*) FROM orleans.orleansquery"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        error = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(connectionString, "SELECT orleans.membership_read('x', NULL, NULL, NULL)"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task The_orleans_role_reads_its_catalogue_and_nothing_of_the_tenants()
    {
        await using var db = await OrleansDatabase.CreateAsync();

        // Search Path=orleans in its connection string is what lets the providers' unqualified catalogue query work.
        Assert.True((long)(await ScalarAsync(db.Orleans, "SELECT count(*) FROM OrleansQuery"))! > 0);
        var error = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(db.Orleans, "SELECT count(*) FROM public.tenants"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
