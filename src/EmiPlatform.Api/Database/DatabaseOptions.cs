using System.ComponentModel.DataAnnotations;

namespace EmiPlatform.Api.Database;

/// <summary>Connection strings of the three PostgreSQL roles (docs/operations.md) and start-up behaviour.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>The application role; row-level security restricts it to the request's tenant.</summary>
    [Required]
    public string AppConnectionString { get; set; } = string.Empty;

    /// <summary>The admin role (BYPASSRLS): platform-admin endpoints and API-key lookup.</summary>
    [Required]
    public string AdminConnectionString { get; set; } = string.Empty;

    /// <summary>The schema owner, used only to apply migrations.</summary>
    [Required]
    public string MigrationsConnectionString { get; set; } = string.Empty;

    public bool MigrateOnStartup { get; set; } = true;
}
