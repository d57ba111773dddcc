using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EmiPlatform.Api.Tests.Infrastructure;

/// <summary>A quiet Kestrel on a free 127.0.0.1 port, for the test servers the platform sends requests to.</summary>
public static class LoopbackServer
{
    /// <summary>Maps the routes, starts, and gives the running app and its base address.</summary>
    public static async Task<(WebApplication App, Uri Address)> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return (app, new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()));
    }
}
