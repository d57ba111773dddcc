using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>Every 201 names a URL that answers its owner with what was created, and nobody else.</summary>
public sealed class CreatedLocationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_key_a_tenant_admin_issues_is_at_its_location_for_that_tenant_and_404_for_another()
    {
        var (_, adminKey) = await api.CreateTenantAsync();
        var (_, otherAdminKey) = await api.CreateTenantAsync("Other lab");

        var created = await api.Client(adminKey).PostAsJsonAsync("/v1/keys", new { name = "analysts", role = "analyst" });
        var location = CreatedAt(created);
        var key = await JsonAsync(created);

        var fetched = await api.Client(adminKey).GetAsync(location);
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        var body = await JsonAsync(fetched);
        SameResource(key.GetProperty("key"), body);
        Assert.False(body.TryGetProperty("secret", out _));
        await ProblemAssert.IsProblem(await api.Client(otherAdminKey).GetAsync(location), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task A_key_the_platform_admin_issues_for_a_tenant_is_at_its_location_and_404_under_another_tenant()
    {
        var (tenant, adminKey) = await api.CreateTenantAsync();
        var (other, _) = await api.CreateTenantAsync("Other lab");

        var created = await api.Admin().PostAsJsonAsync($"/v1/admin/tenants/{tenant.Id}/keys", new { name = "uploader", role = "uploader" });
        var location = CreatedAt(created);
        var key = await JsonAsync(created);

        var fetched = await api.Admin().GetAsync(location);
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        SameResource(key.GetProperty("key"), await JsonAsync(fetched));
        var keyId = key.GetProperty("key").GetProperty("id").GetGuid();
        await ProblemAssert.IsProblem(await api.Admin().GetAsync($"/v1/admin/tenants/{other.Id}/keys/{keyId}"), HttpStatusCode.NotFound, "not-found");
        // The tenant's own admin reads it at its own URL, not at the platform admin's.
        Assert.Equal(HttpStatusCode.OK, (await api.Client(adminKey).GetAsync($"/v1/keys/{keyId}")).StatusCode);
        await ProblemAssert.IsProblem(await api.Client(adminKey).GetAsync(location), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task A_registered_bundle_is_at_its_location_for_the_platform_admin()
    {
        var (_, tenantAdminKey) = await api.CreateTenantAsync();

        var created = await api.Admin().PostAsJsonAsync("/v1/admin/bundles", new { location = Path.Combine(RepoRoot.Path, "models", "reference-tiny") });
        var location = CreatedAt(created);
        var bundle = await JsonAsync(created);

        var fetched = await api.Admin().GetAsync(location);
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        SameResource(bundle, await JsonAsync(fetched));
        await ProblemAssert.IsProblem(await api.Admin().GetAsync($"/v1/admin/bundles/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "not-found");
        // Bundles belong to the platform, not to a tenant: a tenant's key may list them but not use the admin URL.
        await ProblemAssert.IsProblem(await api.Client(tenantAdminKey).GetAsync(location), HttpStatusCode.Forbidden, "forbidden");
    }

    private static Uri CreatedAt(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return response.Headers.Location ?? throw new Xunit.Sdk.XunitException("201 without a Location");
    }

    /// <summary>
    /// The same properties with the same values; timestamps to the microsecond PostgreSQL keeps (a 201 echoes the
    /// clock's ticks, a read answers what was stored).
    /// </summary>
    private static void SameResource(JsonElement created, JsonElement fetched)
    {
        Assert.Equal(created.EnumerateObject().Select(p => p.Name), fetched.EnumerateObject().Select(p => p.Name));
        foreach (var property in created.EnumerateObject())
        {
            var read = fetched.GetProperty(property.Name);
            if (property.Value.ValueKind == JsonValueKind.String && property.Value.TryGetDateTimeOffset(out var at))
            {
                Assert.InRange(Math.Abs(at.UtcTicks - read.GetDateTimeOffset().UtcTicks), 0, TimeSpan.TicksPerMicrosecond);
            }
            else
            {
                Assert.Equal(property.Value.GetRawText(), read.GetRawText());
            }
        }
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}
