using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Data;

public static class DataSourceExtensions
{
    /// <summary>The admin and application data sources (<c>Database:AdminConnectionString</c>, <c>Database:AppConnectionString</c>).</summary>
    public static IServiceCollection AddEmiDataSources(this IServiceCollection services)
    {
        services.TryAddSingleton(sp =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();
            return EmiDataSources.Create(
                ConnectionTuning.Apply(Require(configuration, "Database:AdminConnectionString"), configuration),
                ConnectionTuning.Apply(Require(configuration, "Database:AppConnectionString"), configuration),
                sp.GetService<ILoggerFactory>());
        });
        services.TryAddSingleton<Jobs.JobStore>();
        return services;
    }

    private static string Require(IConfiguration configuration, string key) =>
        configuration[key] is { Length: > 0 } value ? value : throw new OptionsValidationException(key, typeof(string), [$"{key} is required."]);
}
