using System.Net;
using System.Net.Http.Json;
using EmiPlatform.Abstractions.Tenants;
using EmiPlatform.Api.Me;
using EmiPlatform.Api.Paging;
using EmiPlatform.Api.Tenants;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Data.Entities;
using EmiPlatform.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EmiPlatform.Api.Tests;

public sealed class AdminTenantsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Creating_a_tenant_returns_a_working_tenant_admin_key_once()
    {
        var response = await api.Admin().PostAsJsonAsync("/v1/admin/tenants", new { name = "Affective Lab", maxStorageBytes = 10_000_000_000, maxRecordings = 500 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<TenantCreatedDto>(Json.Options))!;
        Assert.Equal(ApiKeyRole.TenantAdmin, created.AdminKey.Key.Role);
        Assert.Equal(10_000_000_000, created.Tenant.MaxStorageBytes);

        var me = await api.Client(created.AdminKey.Secret).GetFromJsonAsync<MeDto>("/v1/me", Json.Options);
        Assert.Equal("tenant_admin", me!.Role);
        Assert.Equal(created.Tenant.Id, me.Tenant!.Id);

        // Listing shows the key's prefix, never its secret, and the database holds only a hash.
        var listed = await api.Admin().GetStringAsync($"/v1/admin/tenants/{created.Tenant.Id}/keys");
        Assert.DoesNotContain(created.AdminKey.Secret, listed, StringComparison.Ordinal);
        Assert.Contains(created.AdminKey.Key.Prefix, listed, StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(api.Database.Admin);
        await connection.OpenAsync();
        await using var all = new NpgsqlCommand("SELECT string_agg(t::text, '') FROM api_keys t", connection);
        var dump = (string)(await all.ExecuteScalarAsync())!;
        Assert.DoesNotContain(created.AdminKey.Secret.Split('_')[2], dump, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tenants_can_be_listed_updated_and_deleted_with_everything_they_own()
    {
        var (tenant, key) = await api.CreateTenantAsync("Before");
        var study = await api.CreateStudyAsync(key);
        (await api.Client(key).PostAsJsonAsync($"/v1/studies/{study.Id}/participants", new { code = "P1" })).EnsureSuccessStatusCode();

        var updated = await api.Admin().PutAsJsonAsync($"/v1/admin/tenants/{tenant.Id}", new { name = "After", maxRecordings = 10, maxConcurrentJobs = 3 });
        var dto = (await updated.Content.ReadFromJsonAsync<TenantDto>(Json.Options))!;
        Assert.Equal(("After", 10, (long?)null, 3), (dto.Name, dto.MaxRecordings!.Value, dto.MaxStorageBytes, dto.MaxConcurrentJobs!.Value));
        // The tenant's grain schedules with the new share at once.
        var schedule = await api.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenantGrain>(tenant.Id).GetScheduleAsync();
        Assert.Equal(3, schedule.Share);
        var page = await api.Admin().GetFromJsonAsync<Page<TenantDto>>("/v1/admin/tenants?pageSize=200", Json.Options);
        Assert.Contains(page!.Items, t => t.Id == tenant.Id && t.Name == "After");

        Assert.Equal(HttpStatusCode.NoContent, (await api.Admin().DeleteAsync($"/v1/admin/tenants/{tenant.Id}")).StatusCode);
        await ProblemAssert.IsProblem(await api.Admin().GetAsync($"/v1/admin/tenants/{tenant.Id}"), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblem(await api.Client(key).GetAsync("/v1/studies"), HttpStatusCode.Unauthorized, "unauthorized");
        await using var connection = new NpgsqlConnection(api.Database.Admin);
        await connection.OpenAsync();
        foreach (var table in new[] { "api_keys", "studies", "participants" })
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE tenant_id = @t", connection);
            count.Parameters.AddWithValue("t", tenant.Id);
            Assert.Equal(0L, await count.ExecuteScalarAsync());
        }
    }

    [Fact]
    public async Task Invalid_tenant_requests_list_their_fields_and_unknown_ids_are_404()
    {
        var problem = await ProblemAssert.IsProblem(
            await api.Admin().PostAsJsonAsync("/v1/admin/tenants", new { name = "", maxStorageBytes = -1, maxRecordings = -5 }),
            (HttpStatusCode)422, "validation");
        var errors = problem.GetProperty("errors");
        Assert.All(new[] { "name", "maxStorageBytes", "maxRecordings" }, f => Assert.True(errors.TryGetProperty(f, out _), f));
        await ProblemAssert.IsProblem(await api.Admin().PostAsJsonAsync("/v1/admin/tenants/" + Guid.NewGuid() + "/keys", new { name = "k", role = "analyst" }), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblem(await api.Admin().PostAsJsonAsync("/v1/admin/tenants", new { name = "x", role = "superuser" }), HttpStatusCode.BadRequest, "malformed-request");
    }
}
