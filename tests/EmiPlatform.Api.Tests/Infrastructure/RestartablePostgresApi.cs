using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests.Infrastructure;

/// <summary>
/// An API host (embedded silo, coordinator only: nothing is scored) whose database lives on a PostgreSQL cluster of
/// its own, which its tests stop and start again; the shared server is never touched.
/// </summary>
public sealed class RestartablePostgresApi : IAsyncLifetime
{
    public PrivatePostgres Postgres { get; private set; } = null!;

    public ApiFactory Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Postgres = await PrivatePostgres.StartAsync();
        Api = new ApiFactory { Postgres = Postgres.Server };
        Api.Settings["Orleans:Roles"] = "coordinator";
        await Api.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (Api is not null)
            {
                // Its own check (no orphan, no lost row) needs the server up: a failed test may have left it stopped.
                await Postgres.StartAgainAsync();
                await Api.DisposeAsync();
            }
        }
        finally
        {
            if (Postgres is not null)
            {
                await Postgres.DisposeAsync();
            }
        }
    }
}
