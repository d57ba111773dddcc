using System.Net;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Harness;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>A host whose application role points at a port where no database listens.</summary>
public sealed class UnreachableDatabaseApi : IAsyncLifetime
{
    public int Port { get; } = FreePort.Next();

    public ApiFactory Api { get; }

    public UnreachableDatabaseApi() => Api = new ApiFactory
    {
        Settings =
        {
            ["Database:AppConnectionString"] = $"Host=127.0.0.1;Port={Port};Username=emi_app;Password=x;Database=emi;Timeout=2",
        },
    };

    public Task InitializeAsync() => Api.InitializeAsync();

    public async Task DisposeAsync() => await Api.DisposeAsync();
}

/// <summary>/readyz is anonymous: its 503 says the database is not usable, never where it is or which role it refused.</summary>
public sealed class ReadinessDisclosureTests(UnreachableDatabaseApi host) : IClassFixture<UnreachableDatabaseApi>
{
    [Fact]
    public async Task Readiness_failure_names_no_host_port_or_role()
    {
        var response = await host.Api.Client(null).GetAsync("/readyz");
        var problem = await ProblemAssert.IsProblem(response, HttpStatusCode.ServiceUnavailable, "not-ready");
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.DoesNotContain("127.0.0.1", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), detail, StringComparison.Ordinal);
        Assert.DoesNotContain("emi_app", detail, StringComparison.Ordinal);
    }
}
