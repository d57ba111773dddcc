using EmiPlatform.Api.Storage;
using EmiPlatform.Media;
using EmiPlatform.Storage;

namespace EmiPlatform.Api.Recordings;

public static class RecordingsExtensions
{
    public static IHostApplicationBuilder AddEmiRecordings(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RecordingOptions>().BindConfiguration(RecordingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddBlobStorage();
        builder.Services.AddMediaTools();
        builder.Services.AddScoped<RecordingRegistrar>();
        builder.Services.AddScoped<StorageSweep>();
        builder.Services.AddHostedService<StorageSweepTimer>();
        return builder;
    }

    /// <summary>The container must exist before the first upload; creating it is idempotent.</summary>
    public static async Task EnsureRecordingStorageAsync(this IHost host, CancellationToken cancellationToken = default) =>
        await host.Services.GetRequiredService<IBlobStore>().EnsureContainerAsync(cancellationToken);
}
