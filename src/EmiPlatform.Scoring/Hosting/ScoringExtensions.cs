using EmiPlatform.Bundles;
using EmiPlatform.Contracts.Transport;
using EmiPlatform.Data;
using EmiPlatform.Inference;
using EmiPlatform.Inference.Scoring;
using EmiPlatform.Media;
using EmiPlatform.Scoring.Jobs;
using EmiPlatform.Scoring.Messaging;
using EmiPlatform.Scoring.Timelines;
using EmiPlatform.Storage;
using EmiPlatform.Telemetry;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Scoring.Hosting;

public static class ScoringExtensions
{
    /// <summary>
    /// What a scoring silo runs: the shared pipeline, the job runner and timeline writer, and its start-up report.
    /// Its MassTransit consumers are added by <see cref="AddScoringConsumers"/> on the host's one bus.
    /// </summary>
    public static IHostApplicationBuilder AddEmiScoring(this IHostApplicationBuilder builder)
    {
        builder.AddEmiBundles();
        var services = builder.Services;
        services.AddOptions<ScoringWorkerOptions>().BindConfiguration(ScoringWorkerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<EmiMetrics>();
        services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.Section);
        services.AddOptions<InferenceOptions>().BindConfiguration(InferenceOptions.SectionName);
        services.AddMediaTools();
        services.AddBlobStorage();
        services.AddSingleton(sp => WorkerIdentity.Create(sp.GetRequiredService<IOptions<ScoringWorkerOptions>>().Value.WorkerName));
        services.AddSingleton<GpuInventory>();
        services.AddSingleton<TimelineWriter>();
        services.AddSingleton<JobRunner>();
        services.AddSingleton<RunningAttempts>();
        services.AddSingleton<StudyReports>();
        // One pipeline per process: its ONNX sessions are created once per bundle and shared by every concurrent job.
        services.AddSingleton<IScoringPipeline>(sp => ScoringPipeline.Create(
            sp.GetRequiredService<IOptions<InferenceOptions>>().Value, sp.GetRequiredService<MediaTools>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<ScoringPipeline>()));
        services.AddHostedService<WorkerStartupReport>();
        return builder;
    }

    public static void AddScoringConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<ScoreRecordingConsumer, ScoreRecordingConsumerDefinition>();
        bus.AddConsumer<CancelledJobConsumer, CancelledJobConsumerDefinition>();
    }
}
