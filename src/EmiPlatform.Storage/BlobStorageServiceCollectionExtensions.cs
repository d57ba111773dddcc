using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Storage;

public static class BlobStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IBlobStore"/> (a singleton <see cref="BlobStore"/>) with <see cref="BlobStorageOptions"/> bound to
    /// the configuration section <paramref name="sectionName"/> ("Storage") and validated at start.
    /// </summary>
    public static IServiceCollection AddBlobStorage(
        this IServiceCollection services,
        Action<BlobStorageOptions>? configure = null,
        string sectionName = BlobStorageOptions.SectionName)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<BlobStorageOptions>().BindConfiguration(sectionName).ValidateOnStart();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BlobStorageOptions>, BlobStorageOptionsValidator>());
        services.TryAddSingleton(sp => new BlobStore(sp.GetRequiredService<IOptions<BlobStorageOptions>>().Value));
        services.TryAddSingleton<IBlobStore>(sp => sp.GetRequiredService<BlobStore>());
        return services;
    }
}
