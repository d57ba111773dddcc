using System.Text.Json;
using EmiPlatform.Cli.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Cli.Tests;

/// <summary>Profiles, admin, studies and participants commands against the real API host.</summary>
public sealed class CliCommandTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private EmiRunner Admin() => EmiRunner.For(api.Url, api.AdminKey);

    private async Task<(Guid Id, string Key)> CreateTenantAsync(string name)
    {
        var created = await Admin().JsonAsync("admin", "tenants", "create", name);
        return (created.GetProperty("tenant").GetProperty("id").GetGuid(), created.GetProperty("adminKey").GetProperty("secret").GetString()!);
    }

    [Fact]
    public async Task Profiles_come_from_the_config_file_and_the_environment_overrides_them()
    {
        var (_, keyA) = await CreateTenantAsync("Lab A");
        var (_, keyB) = await CreateTenantAsync("Lab B");
        var configPath = Path.Combine(Directory.CreateTempSubdirectory("emi-profile-").FullName, "emi", "config.json");
        var cli = new EmiRunner(configPath);

        var none = (await cli.RunAsync("me")).AssertExit(1);
        Assert.Contains("emi profile add", none.Error, StringComparison.Ordinal);

        (await cli.RunAsync("profile", "add", "lab", "--url", api.Url.AbsoluteUri, "--key", keyA)).AssertExit(0);
        (await cli.RunAsync("profile", "add", "other", "--url", api.Url.AbsoluteUri, "--key", keyB)).AssertExit(0);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(configPath)); // it holds keys
        }

        static string Tenant(JsonElement me) => me.GetProperty("tenant").GetProperty("name").GetString()!;
        Assert.Equal("Lab A", Tenant(await cli.JsonAsync("me"))); // the first profile added is current
        Assert.Equal("Lab B", Tenant(await cli.Set("EMI_PROFILE", "other").JsonAsync("me")));
        Assert.Equal("Lab A", Tenant(await cli.JsonAsync("me", "--profile", "lab"))); // the option beats EMI_PROFILE
        cli.Set("EMI_PROFILE", null);
        Assert.Equal("Lab B", Tenant(await cli.Set("EMI_KEY", keyB).JsonAsync("me"))); // EMI_KEY beats the profile's key
        cli.Set("EMI_KEY", null);

        var missing = (await cli.RunAsync("me", "--profile", "nope")).AssertExit(1);
        Assert.Contains("No profile 'nope'", missing.Error, StringComparison.Ordinal);

        (await cli.RunAsync("profile", "use", "other")).AssertExit(0);
        Assert.Equal("Lab B", Tenant(await cli.JsonAsync("me")));

        var list = (await cli.RunAsync("profile", "list", "--json")).AssertExit(0);
        Assert.DoesNotContain(keyA, list.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(keyB, list.Out, StringComparison.Ordinal);
        var listed = list.Json();
        Assert.Equal("other", listed.GetProperty("current").GetString());
        Assert.Equal(2, listed.GetProperty("profiles").GetArrayLength());

        (await cli.RunAsync("profile", "remove", "other")).AssertExit(0);
        (await cli.RunAsync("me")).AssertExit(1); // no current profile any more: nothing silently falls back
        (await cli.RunAsync("profile", "remove", "other")).AssertExit(1);
    }

    [Fact]
    public async Task Admin_creates_suspends_resumes_and_deletes_tenants_and_manages_their_keys()
    {
        var admin = Admin();
        var created = await admin.JsonAsync("admin", "tenants", "create", "Quota lab", "--max-recordings", "5", "--max-storage-bytes", "1000000");
        var id = created.GetProperty("tenant").GetProperty("id").GetGuid();
        var tenantKey = created.GetProperty("adminKey").GetProperty("secret").GetString()!;
        Assert.Equal(5, created.GetProperty("tenant").GetProperty("maxRecordings").GetInt32());

        var all = await admin.JsonAsync("admin", "tenants", "list");
        Assert.Contains(all.EnumerateArray(), t => t.GetProperty("id").GetGuid() == id);
        var table = (await admin.RunAsync("admin", "tenants", "list")).AssertExit(0);
        Assert.Contains("Quota lab", table.Out, StringComparison.Ordinal);
        Assert.Equal("Quota lab", (await admin.JsonAsync("admin", "tenants", "get", id.ToString())).GetProperty("name").GetString());

        var lab = EmiRunner.For(api.Url, tenantKey);
        Assert.Equal("suspended", (await admin.JsonAsync("admin", "tenants", "suspend", id.ToString())).GetProperty("status").GetString());
        var refused = (await lab.RunAsync("studies", "list")).AssertExit(2);
        Assert.Contains("403", refused.Error, StringComparison.Ordinal);
        Assert.Contains("tenant-suspended", refused.Error, StringComparison.Ordinal);
        Assert.Equal("active", (await admin.JsonAsync("admin", "tenants", "resume", id.ToString())).GetProperty("status").GetString());
        (await lab.RunAsync("studies", "list")).AssertExit(0);

        var key = await admin.JsonAsync("admin", "keys", "create", "--tenant", id.ToString(), "--name", "upload PC", "--role", "uploader");
        var uploader = EmiRunner.For(api.Url, key.GetProperty("secret").GetString()!);
        Assert.Equal("uploader", (await uploader.JsonAsync("me")).GetProperty("role").GetString());
        var keys = await admin.JsonAsync("admin", "keys", "list", "--tenant", id.ToString());
        Assert.Equal(2, keys.GetArrayLength());
        (await admin.RunAsync("admin", "keys", "revoke", "--tenant", id.ToString(), key.GetProperty("key").GetProperty("id").GetString()!)).AssertExit(0);
        Assert.Contains("401", (await uploader.RunAsync("me")).AssertExit(2).Error, StringComparison.Ordinal);
        (await admin.RunAsync("admin", "keys", "create", "--tenant", id.ToString(), "--name", "x", "--role", "root")).AssertExit(1);

        Assert.Contains("--yes", (await admin.RunAsync("admin", "tenants", "delete", id.ToString())).AssertExit(1).Error, StringComparison.Ordinal);
        (await admin.RunAsync("admin", "tenants", "delete", id.ToString(), "--yes")).AssertExit(0);
        var gone = (await admin.RunAsync("admin", "tenants", "get", id.ToString(), "--json")).AssertExit(2);
        Assert.Equal("urn:emi-platform:problem:not-found", gone.Json().GetProperty("type").GetString());

        (await lab.RunAsync("admin", "tenants", "list")).AssertExit(2); // a tenant key is not a platform admin
    }

    [Fact]
    public async Task Studies_and_participants_are_created_listed_found_by_name_and_deleted()
    {
        var (_, key) = await CreateTenantAsync("Study lab");
        var lab = EmiRunner.For(api.Url, key);
        var study = await lab.JsonAsync("studies", "create", "Mimicry pilot", "--description", "first wave");
        var studyId = study.GetProperty("id").GetGuid();
        Assert.Equal("first wave", study.GetProperty("description").GetString());
        Assert.Equal(studyId, (await lab.JsonAsync("studies", "get", "Mimicry pilot")).GetProperty("id").GetGuid());
        Assert.Single((await lab.JsonAsync("studies", "list")).EnumerateArray());

        var participants = await lab.JsonAsync("participants", "create", "--study", "Mimicry pilot", "P01", "P02");
        Assert.Equal(["P01", "P02"], participants.EnumerateArray().Select(p => p.GetProperty("code").GetString()));
        var conflict = (await lab.RunAsync("participants", "create", "--study", studyId.ToString(), "P01")).AssertExit(2);
        Assert.Contains("409", conflict.Error, StringComparison.Ordinal);

        (await lab.RunAsync("participants", "delete", "--study", studyId.ToString(), "P02", "--yes")).AssertExit(0);
        var left = await lab.JsonAsync("participants", "list", "--study", studyId.ToString());
        Assert.Equal("P01", Assert.Single(left.EnumerateArray()).GetProperty("code").GetString());
        var table = (await lab.RunAsync("participants", "list", "--study", studyId.ToString())).AssertExit(0);
        Assert.Contains("P01", table.Out, StringComparison.Ordinal);

        (await lab.RunAsync("studies", "delete", "Mimicry pilot", "--yes")).AssertExit(0);
        Assert.Contains("No study named", (await lab.RunAsync("studies", "get", "Mimicry pilot")).AssertExit(2).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Problems_are_printed_with_title_detail_and_field_errors_and_as_json()
    {
        var (_, key) = await CreateTenantAsync("Problem lab");
        var lab = EmiRunner.For(api.Url, key);
        var tooLong = new string('x', 201);

        var human = (await lab.RunAsync("studies", "create", tooLong)).AssertExit(2);
        Assert.Contains("422", human.Error, StringComparison.Ordinal);
        Assert.Contains("name:", human.Error, StringComparison.Ordinal);
        Assert.Contains("urn:emi-platform:problem:validation", human.Error, StringComparison.Ordinal);

        var json = (await lab.RunAsync("studies", "create", tooLong, "--json")).AssertExit(2).Json();
        Assert.Equal(422, json.GetProperty("status").GetInt32());
        Assert.True(json.GetProperty("errors").TryGetProperty("name", out _));

        (await lab.RunAsync("admin", "tenants", "get", "not-a-guid")).AssertExit(1); // a parse error is a usage error
        var unreachable = (await EmiRunner.For(new Uri("http://127.0.0.1:9/"), key).RunAsync("studies", "list")).AssertExit(2);
        Assert.Contains("cannot reach", unreachable.Error, StringComparison.Ordinal);
    }
}
