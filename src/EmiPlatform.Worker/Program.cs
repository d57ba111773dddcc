using EmiPlatform.Scoring.Hosting;
using EmiPlatform.Scoring.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The scale-out scoring worker: the same consumer, pipeline and dispatcher the API host embeds, on RabbitMQ.
// Configuration: appsettings.json beside the binary, then EMI-style environment variables (Database__AppConnectionString, …).
var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddInMemoryCollection([new("Scoring:Worker", "true")]);
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
builder.AddEmiScoring();
builder.AddEmiWebhooks();
await builder.Build().RunAsync();
