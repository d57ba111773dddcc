using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Media;

public static class MediaToolsExtensions
{
    /// <summary>
    /// ffmpeg / ffprobe with the <see cref="MediaLimits"/> of configuration section <c>Media</c>; the API host's probe and
    /// the worker's decode share one registration when they run in one process.
    /// </summary>
    public static IServiceCollection AddMediaTools(this IServiceCollection services)
    {
        services.AddOptions<MediaLimits>().BindConfiguration(MediaLimits.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp => MediaTools.FromEnvironment(sp.GetRequiredService<IOptions<MediaLimits>>().Value));
        return services;
    }
}
