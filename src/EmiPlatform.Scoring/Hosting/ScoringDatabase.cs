using Npgsql;

namespace EmiPlatform.Scoring.Hosting;

/// <summary>
/// The two roles scoring uses. Claims, leases and dispatch span every tenant, so they run on the admin role; a job's
/// results are written on the application role with that job's tenant set, so row-level security still guards them.
/// </summary>
public sealed class ScoringDatabase(NpgsqlDataSource admin, NpgsqlDataSource app) : IAsyncDisposable
{
    public NpgsqlDataSource Admin { get; } = admin;
    public NpgsqlDataSource App { get; } = app;

    public async ValueTask DisposeAsync()
    {
        await Admin.DisposeAsync();
        await App.DisposeAsync();
    }
}
