using System.Net.Http.Json;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Data;
using EmiPlatform.Data.Tenancy;
using EmiPlatform.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace EmiPlatform.Api.Tests;

/// <summary>PostgreSQL itself keeps tenants apart for the application role, even for queries that forget to filter.</summary>
public sealed class RowLevelSecurityTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task An_unscoped_sql_query_as_the_app_role_sees_only_the_declared_tenant()
    {
        var (tenantA, keyA) = await api.CreateTenantAsync("Lab A");
        var (tenantB, keyB) = await api.CreateTenantAsync("Lab B");
        await api.CreateStudyAsync(keyA, "A's study");
        await api.CreateStudyAsync(keyB, "B's study");

        Assert.Equal(["A's study"], await StudyNamesAsync(tenantA.Id));
        Assert.Equal(["B's study"], await StudyNamesAsync(tenantB.Id));
        Assert.Empty(await StudyNamesAsync(null));
    }

    [Fact]
    public async Task The_app_role_cannot_write_a_row_for_another_tenant()
    {
        var (tenantA, _) = await api.CreateTenantAsync("Lab A");
        var (tenantB, _) = await api.CreateTenantAsync("Lab B");
        await using var connection = await OpenAsAppAsync(tenantA.Id);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO studies (id, tenant_id, name, created_at, updated_at) VALUES (gen_random_uuid(), @b, 'intruder', now(), now())", connection);
        insert.Parameters.AddWithValue("b", tenantB.Id);
        var error = await Assert.ThrowsAsync<PostgresException>(() => insert.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState); // new row violates row-level security policy
    }

    [Fact]
    public async Task An_unfiltered_ef_query_through_the_tenant_scope_sees_only_that_tenant()
    {
        var (tenantA, keyA) = await api.CreateTenantAsync("Lab A");
        var (_, keyB) = await api.CreateTenantAsync("Lab B");
        var study = await api.CreateStudyAsync(keyA, "A's study");
        await api.Client(keyB).PostAsJsonAsync("/v1/studies", new { name = "B's study" });

        var options = new DbContextOptionsBuilder<EmiDbContext>().UseNpgsql(api.Database.App)
            .AddInterceptors(new TenantSessionInterceptor(new FixedScope(tenantA.Id))).Options;
        await using var db = new EmiDbContext(options);
        var everything = await db.Studies.AsNoTracking().ToListAsync(); // deliberately no tenant filter
        Assert.Equal([study.Id], everything.Select(s => s.Id));
        Assert.Equal([tenantA.Id], (await db.Tenants.AsNoTracking().ToListAsync()).Select(t => t.Id));
    }

    private async Task<List<string>> StudyNamesAsync(Guid? tenant)
    {
        await using var connection = await OpenAsAppAsync(tenant);
        await using var select = new NpgsqlCommand("SELECT name FROM studies ORDER BY name", connection);
        await using var reader = await select.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }
        return names;
    }

    private async Task<NpgsqlConnection> OpenAsAppAsync(Guid? tenant)
    {
        var connection = new NpgsqlConnection(api.Database.App);
        await connection.OpenAsync();
        if (tenant is not null)
        {
            await using var set = new NpgsqlCommand("SELECT set_config('app.tenant_id', @t, false)", connection);
            set.Parameters.AddWithValue("t", tenant.Value.ToString());
            await set.ExecuteNonQueryAsync();
        }
        return connection;
    }

    private sealed class FixedScope(Guid tenantId) : ITenantScope
    {
        public Guid? TenantId => tenantId;
    }
}
