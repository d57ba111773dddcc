using System.Globalization;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace EmiPlatform.Data;

/// <summary>
/// The pool size and server-side statement timeout every application and admin connection runs with, set here rather
/// than left to whatever the connection string says: <c>Database:MaxPoolSize</c> (default 100, Npgsql's own default,
/// made explicit) and <c>Database:StatementTimeout</c> (default 10 minutes, the longest a streamed result may take,
/// RateLimits:StreamDeadline), so no statement outlives the response it serves.
/// </summary>
public static class ConnectionTuning
{
    public static string Apply(string connectionString, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return connectionString; // left for the options' own "required" validation to report
        }
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            MaxPoolSize = configuration.GetValue("Database:MaxPoolSize", 100),
        };
        var timeout = configuration.GetValue("Database:StatementTimeout", TimeSpan.FromMinutes(10));
        var setting = string.Create(CultureInfo.InvariantCulture, $"-c statement_timeout={(long)timeout.TotalMilliseconds}");
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? setting : builder.Options + " " + setting;
        return builder.ConnectionString;
    }
}
