using EmiPlatform.Data.Migrations;
using EmiPlatform.Hosting;
using EmiPlatform.Hosting.Telemetry;
using EmiPlatform.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// A silo of the scaled-out platform: coordinator grains and/or a scoring pipeline (Orleans:Roles), clustered with
// the other silos through PostgreSQL. Configuration: appsettings.json beside the binary, then environment variables
// (Orleans__Roles, Database__AppConnectionString, …).
var builder = Host.CreateApplicationBuilder(args);
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
builder.AddEmiTelemetry();
builder.AddEmiCluster();
builder.AddEmiWebhooks();
var host = builder.Build();

// The Orleans tables must exist before the silo joins; the migrator's advisory lock lets every host try.
if (builder.Configuration["Database:MigrationsConnectionString"] is { Length: > 0 } owner && builder.Configuration.GetValue("Database:MigrateOnStartup", true))
{
    var migrator = new SqlMigrator(owner, host.Services.GetRequiredService<ILogger<SqlMigrator>>());
    await migrator.MigrateAsync(MigrationCatalog.Embedded(), CancellationToken.None);
}
await host.RunAsync();
