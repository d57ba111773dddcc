using EmiPlatform.Data;
using EmiPlatform.Data.Migrations;
using EmiPlatform.Data.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Api.Database;

public static class DatabaseExtensions
{
    public static IHostApplicationBuilder AddEmiDatabase(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart()
            .PostConfigure<IConfiguration>((o, configuration) =>
            {
                o.AppConnectionString = ConnectionTuning.Apply(o.AppConnectionString, configuration);
                o.AdminConnectionString = ConnectionTuning.Apply(o.AdminConnectionString, configuration);
            });
        builder.Services.AddScoped<TenantSessionInterceptor>();
        builder.Services.AddDbContext<EmiDbContext>((sp, o) => o
            .UseNpgsql(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.AppConnectionString, RetryTransient)
            .AddInterceptors(sp.GetRequiredService<TenantSessionInterceptor>()));
        builder.Services.AddDbContext<AdminDbContext>((sp, o) => o
            .UseNpgsql(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.AdminConnectionString, RetryTransient));
        builder.Services.AddSingleton(sp => new SqlMigrator(
            sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrationsConnectionString,
            sp.GetRequiredService<ILogger<SqlMigrator>>()));
        return builder;
    }

    // A deadlock or serialization failure (a participant's or study's erasure meeting a scoring silo's timeline write,
    // which locks the job before the recording) is retried, not answered 500.
    private static void RetryTransient(Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.NpgsqlDbContextOptionsBuilder npgsql) =>
        npgsql.EnableRetryOnFailure(maxRetryCount: 3);

    public static async Task MigrateDatabaseAsync(this IHost host, CancellationToken cancellationToken = default)
    {
        var applied = await host.Services.GetRequiredService<SqlMigrator>().MigrateAsync(MigrationCatalog.Embedded(), cancellationToken);
        host.Services.GetRequiredService<ILogger<SqlMigrator>>()
            .LogInformation("Database schema is current ({Count} migration(s) applied now)", applied.Count);
    }
}
