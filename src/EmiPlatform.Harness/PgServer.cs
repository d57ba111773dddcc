namespace EmiPlatform.Harness;

/// <summary>
/// A PostgreSQL server's connection strings, one per platform role, without a database: the shared one of
/// <c>.local/env.sh</c> (<see cref="Shared"/>), or a throwaway one a fault test may restart (<see cref="PrivatePostgres"/>).
/// Both come from <c>infra/postgres.sh env</c>, the one definition of the roles' settings.
/// </summary>
public sealed record PgServer(string Superuser, string Owner, string App, string Admin, string Orleans)
{
    /// <summary>The server every test suite shares (infra/up.sh); never stopped by a test.</summary>
    public static PgServer Shared => FromVariables(ServerSettings.Require);

    /// <summary>The server whose settings are <paramref name="variable"/>'s values of EMI_PG, EMI_PG_OWNER, … .</summary>
    public static PgServer FromVariables(Func<string, string> variable) =>
        new(variable("EMI_PG"), variable("EMI_PG_OWNER"), variable("EMI_PG_APP"), variable("EMI_PG_ADMIN"), variable("EMI_PG_ORLEANS"));
}
