using EmiPlatform.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace EmiPlatform.Bundles;

public static class BundlesExtensions
{
    /// <summary>The bundle registry and the default bundle (<c>Scoring:DefaultBundle</c>): wherever jobs are created or scored.</summary>
    public static IHostApplicationBuilder AddEmiBundles(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<BundleOptions>().BindConfiguration(BundleOptions.Section);
        builder.Services.AddEmiDataSources();
        builder.Services.TryAddSingleton<BundleRegistry>();
        builder.Services.TryAddSingleton<DefaultBundle>();
        builder.Services.TryAddSingleton<Tenants.TenantBundleRegistrar>();
        return builder;
    }
}
