using System.Reflection;
using EmiPlatform.Api;
using EmiPlatform.Api.Auth;
using EmiPlatform.Api.Database;
using EmiPlatform.Api.OpenApi;
using EmiPlatform.Api.Problems;
using EmiPlatform.Api.Progress;
using EmiPlatform.Api.RateLimits;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Security;
using EmiPlatform.Bundles;
using EmiPlatform.Hosting;
using EmiPlatform.Hosting.Telemetry;
using EmiPlatform.Webhooks;
using Microsoft.Extensions.DependencyInjection.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = builder.Configuration.GetValue("Api:MaxJsonBodyBytes", 1_048_576));
builder.AddEmiTelemetry();
builder.AddEmiProblems();
builder.AddEmiDatabase();
builder.AddEmiAuth();
builder.AddEmiRateLimits();
builder.AddEmiRecordings();
builder.AddEmiBundles();
builder.AddEmiCluster();
builder.AddEmiProgress();
builder.AddEmiWebhooks();
builder.AddEmiOpenApi();

// Build-time OpenAPI generation (GetDocument.Insider, run by tests/EmiPlatform.Client.Tests' build) runs this entry
// point for its endpoints alone: nothing may start, migrate or connect, so the build needs no server.
var describingOnly = Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";
if (describingOnly)
{
    builder.Services.RemoveAll<IHostedService>();
}

var app = builder.Build();

if (args is ["migrate", ..])
{
    await app.MigrateDatabaseAsync();
    return;
}
if (!describingOnly)
{
    if (app.Configuration.GetValue("Database:MigrateOnStartup", true))
    {
        await app.MigrateDatabaseAsync();
    }
    await app.EnsureRecordingStorageAsync();
}

app.UseEmiSecurityHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
// The dashboard is static files (web/dashboard, built by `make`); it asks for an API key itself.
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseAuthentication();
// After authentication, so a request spends its key's budget; before authorization, so 401s and 403s spend one too.
app.UseRateLimiter();
app.UseAuthorization();
app.MapEmiApis();

await app.RunAsync();

/// <summary>Entry point type, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
