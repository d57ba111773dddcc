namespace EmiPlatform.Api.Progress;

public static class ProgressExtensions
{
    /// <summary>Live study progress (SSE) relayed from the study grains, whether they run in this process or on silos.</summary>
    public static IHostApplicationBuilder AddEmiProgress(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ProgressOptions>().BindConfiguration(ProgressOptions.Section)
            .Validate(o => o.Heartbeat > TimeSpan.Zero, "Progress:Heartbeat must be positive.").ValidateOnStart();
        builder.Services.AddSingleton<StudyEventStream>();
        return builder;
    }
}
