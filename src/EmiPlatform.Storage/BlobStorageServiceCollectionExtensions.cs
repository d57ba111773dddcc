using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Storage;

public static class BlobStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IBlobStore"/> (a singleton <see cref="BlobStore"/>) with <see cref="BlobStorageOptions"/> bound to
    /// the configuration section <paramref name="sectionName"/> ("Storage") and validated at start. The SDK's client options
    /// bind from "Storage:Client" (e.g. <c>Storage:Client:Retry:MaxRetries</c>, <c>Storage:Client:Retry:NetworkTimeout</c>,
    /// <c>Storage:Client:Diagnostics:IsLoggingContentEnabled</c>). A <see cref="TokenCredential"/> registered in the container
    /// is used with <see cref="BlobStorageOptions.ServiceUri"/>; otherwise DefaultAzureCredential.
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
        services.TryAddSingleton(sp =>
        {
            var clientOptions = BlobStore.CreateClientOptions();
            sp.GetService<IConfiguration>()?.GetSection(sectionName).GetSection(BlobStorageOptions.ClientSectionName).Bind(clientOptions);
            return new BlobStore(sp.GetRequiredService<IOptions<BlobStorageOptions>>().Value, clientOptions, sp.GetService<TokenCredential>());
        });
        services.TryAddSingleton<IBlobStore>(sp => sp.GetRequiredService<BlobStore>());
        return services;
    }
}
