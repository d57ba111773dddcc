using System.Net;
using System.Net.Http.Json;
using EmiPlatform.Api.Keys;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

public sealed class AuthorizationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData(null)]
    [InlineData("not-a-key")]
    [InlineData("emi_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")]
    [InlineData("emi_' OR 1=1 --_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")]
    public async Task Missing_malformed_or_unknown_keys_get_401(string? key)
    {
        await ProblemAssert.IsProblem(await api.Client(key).GetAsync("/v1/studies"), HttpStatusCode.Unauthorized, "unauthorized");
        await ProblemAssert.IsProblem(await api.Client(key).GetAsync("/v1/admin/tenants"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_revoked_key_is_refused_on_the_next_request()
    {
        var (tenant, adminKey) = await api.CreateTenantAsync();
        var uploader = await api.CreateKeyAsync(tenant.Id, "uploader");
        Assert.Equal(HttpStatusCode.OK, (await api.Client(uploader).GetAsync("/v1/studies")).StatusCode);

        var keys = await api.Client(adminKey).GetFromJsonAsync<List<ApiKeyDto>>("/v1/keys", Json.Options);
        var uploaderKey = keys!.Single(k => k.Role == Data.Entities.ApiKeyRole.Uploader);
        Assert.NotNull(uploaderKey.LastUsedAt);
        Assert.StartsWith(uploaderKey.Prefix + "_", uploader, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await api.Client(adminKey).PostAsync($"/v1/keys/{uploaderKey.Id}/revoke", null)).StatusCode);

        await ProblemAssert.IsProblem(await api.Client(uploader).GetAsync("/v1/studies"), HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(HttpStatusCode.OK, (await api.Client(adminKey).GetAsync("/v1/studies")).StatusCode);
    }

    [Fact]
    public async Task Each_role_is_refused_what_it_may_not_do()
    {
        var (tenant, tenantAdmin) = await api.CreateTenantAsync();
        var uploader = await api.CreateKeyAsync(tenant.Id, "uploader");
        var analyst = await api.CreateKeyAsync(tenant.Id, "analyst");
        var study = await api.CreateStudyAsync(uploader);

        // Analysts read but never write.
        Assert.Equal(HttpStatusCode.OK, (await api.Client(analyst).GetAsync($"/v1/studies/{study.Id}")).StatusCode);
        await ProblemAssert.IsProblem(await api.Client(analyst).PostAsJsonAsync("/v1/studies", new { name = "x" }), HttpStatusCode.Forbidden, "forbidden");
        await ProblemAssert.IsProblem(await api.Client(analyst).DeleteAsync($"/v1/studies/{study.Id}"), HttpStatusCode.Forbidden, "forbidden");
        await ProblemAssert.IsProblem(await api.Client(analyst).PostAsJsonAsync($"/v1/studies/{study.Id}/participants", new { code = "P1" }), HttpStatusCode.Forbidden, "forbidden");
        // Only tenant admins manage keys.
        await ProblemAssert.IsProblem(await api.Client(uploader).GetAsync("/v1/keys"), HttpStatusCode.Forbidden, "forbidden");
        await ProblemAssert.IsProblem(await api.Client(analyst).PostAsJsonAsync("/v1/keys", new { name = "k", role = "tenant_admin" }), HttpStatusCode.Forbidden, "forbidden");
        // Only the platform admin manages tenants, and it holds no tenant's data.
        foreach (var key in new[] { tenantAdmin, uploader, analyst })
        {
            await ProblemAssert.IsProblem(await api.Client(key).GetAsync("/v1/admin/tenants"), HttpStatusCode.Forbidden, "forbidden");
        }
        await ProblemAssert.IsProblem(await api.Admin().GetAsync("/v1/studies"), HttpStatusCode.Forbidden, "forbidden");

        Assert.Equal(HttpStatusCode.OK, (await api.Client(analyst).GetAsync($"/v1/studies/{study.Id}")).StatusCode);
    }

    [Fact]
    public async Task A_suspended_tenant_gets_403_on_everything_until_resumed()
    {
        var (tenant, tenantAdmin) = await api.CreateTenantAsync();
        var study = await api.CreateStudyAsync(tenantAdmin);
        Assert.Equal(HttpStatusCode.OK, (await api.Admin().PostAsync($"/v1/admin/tenants/{tenant.Id}/suspend", null)).StatusCode);

        var client = api.Client(tenantAdmin);
        foreach (var response in new[]
        {
            await client.GetAsync("/v1/studies"),
            await client.GetAsync($"/v1/studies/{study.Id}"),
            await client.PostAsJsonAsync("/v1/studies", new { name = "x" }),
            await client.GetAsync("/v1/keys"),
            await client.GetAsync("/v1/me"),
        })
        {
            await ProblemAssert.IsProblem(response, HttpStatusCode.Forbidden, "tenant-suspended");
        }

        Assert.Equal(HttpStatusCode.OK, (await api.Admin().PostAsync($"/v1/admin/tenants/{tenant.Id}/resume", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/studies/{study.Id}")).StatusCode);
    }
}
