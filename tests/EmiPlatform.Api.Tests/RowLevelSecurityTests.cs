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

    [Fact]
    public async Task The_tenant_query_filter_alone_keeps_tenants_apart_where_row_level_security_is_bypassed()
    {
        var (tenantA, keyA) = await api.CreateTenantAsync("Lab A");
        var (_, keyB) = await api.CreateTenantAsync("Lab B");
        var studyA = await api.CreateStudyAsync(keyA, "A's study");
        var studyB = await api.CreateStudyAsync(keyB, "B's study");
        // The admin role bypasses row-level security: here only the context's filter stands between A and B.
        var options = new DbContextOptionsBuilder<EmiDbContext>().UseNpgsql(api.Database.Admin).Options;
        await using (var unscoped = new EmiDbContext(options))
        {
            Assert.Contains(studyB.Id, await unscoped.Studies.AsNoTracking().Select(s => s.Id).ToListAsync()); // there to leak
        }

        await using var db = new EmiDbContext(options, new FixedScope(tenantA.Id));
        Assert.Equal([studyA.Id], await db.Studies.AsNoTracking().Select(s => s.Id).ToListAsync());
        Assert.Equal([tenantA.Id], await db.Tenants.AsNoTracking().Select(t => t.Id).ToListAsync());
        Assert.All(await db.ApiKeys.AsNoTracking().ToListAsync(), k => Assert.Equal(tenantA.Id, k.TenantId));
        Assert.Equal(0, await db.Studies.Where(s => s.Id == studyB.Id).ExecuteDeleteAsync()); // bulk writes are filtered too
        await using var noTenant = new EmiDbContext(options, new FixedScope(null));
        Assert.Empty(await noTenant.Studies.AsNoTracking().ToListAsync()); // a scope without a tenant sees none, as RLS does
    }

    [Fact]
    public void Every_entity_with_a_tenant_id_has_the_tenant_query_filter()
    {
        using var db = new EmiDbContext(new DbContextOptionsBuilder<EmiDbContext>().UseNpgsql(api.Database.App).Options);
        var owned = db.Model.GetEntityTypes().Where(t => t.FindProperty(nameof(ITenantOwned.TenantId)) is not null).ToList();
        Assert.NotEmpty(owned);
        Assert.All(owned, t => Assert.NotEmpty(t.GetDeclaredQueryFilters()));
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

    private sealed class FixedScope(Guid? tenantId) : ITenantScope
    {
        public Guid? TenantId => tenantId;
    }
}
