using EmiPlatform.Data.Jobs;
using EmiPlatform.Data;
using EmiPlatform.Contracts.Transport;
using EmiPlatform.Inference;
using EmiPlatform.Inference.Scoring;
using EmiPlatform.Scoring.Bundles;
using EmiPlatform.Scoring.Jobs;
using EmiPlatform.Scoring.Messaging;
using EmiPlatform.Scoring.Timelines;
using EmiPlatform.Storage;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EmiPlatform.Scoring.Hosting;

public static class ScoringExtensions
{
    /// <summary>
    /// Scoring for a host: the job store, bundle registry, dispatcher (<c>Scoring:Dispatcher</c>), the worker
    /// (<c>Scoring:Worker</c>: consumer, shared pipeline) and MassTransit on the configured transport
    /// (<c>Messaging:Transport</c>: InMemory in one process, RabbitMq across processes).
    /// </summary>
    public static IHostApplicationBuilder AddEmiScoring(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ScoringWorkerOptions>().BindConfiguration(ScoringWorkerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.Section);
        services.AddOptions<InferenceOptions>().BindConfiguration(InferenceOptions.SectionName);
        services.TryAddTimeProvider();
        services.AddBlobStorage();

        services.AddSingleton(sp =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();
            return new EmiDataSources(
                NpgsqlDataSource.Create(Require(configuration, "Database:AdminConnectionString")),
                NpgsqlDataSource.Create(Require(configuration, "Database:AppConnectionString")));
        });
        services.AddSingleton(sp => WorkerIdentity.Create(sp.GetRequiredService<IOptions<ScoringWorkerOptions>>().Value.WorkerName));
        services.AddSingleton<GpuInventory>();
        services.AddSingleton<BundleRegistry>();
        services.AddSingleton<DefaultBundle>();
        services.AddSingleton<JobStore>();
        services.AddSingleton<JobSignal>();
        services.AddSingleton<TimelineWriter>();
        services.AddSingleton<JobRunner>();
        services.AddSingleton<RunningAttempts>();
        // One pipeline per process: its ONNX sessions are created once per bundle and shared by every concurrent job.
        services.AddSingleton<IScoringPipeline>(sp => ScoringPipeline.Create(
            sp.GetRequiredService<IOptions<InferenceOptions>>().Value, sp.GetRequiredService<ILoggerFactory>().CreateLogger<ScoringPipeline>()));

        var section = builder.Configuration.GetSection(ScoringWorkerOptions.Section);
        var runWorker = section.GetValue(nameof(ScoringWorkerOptions.Worker), true);
        if (section.GetValue(nameof(ScoringWorkerOptions.Dispatcher), true))
        {
            services.AddHostedService<JobDispatcher>();
        }
        if (runWorker)
        {
            services.AddHostedService<WorkerStartupReport>();
        }

        var messaging = builder.Configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>() ?? new MessagingOptions();
        services.AddMassTransit(x =>
        {
            if (runWorker)
            {
                x.AddConsumer<ScoreRecordingConsumer, ScoreRecordingConsumerDefinition>();
                x.AddConsumer<CancelledJobConsumer, CancelledJobConsumerDefinition>();
            }
            switch (messaging.Transport)
            {
                case MessagingTransport.RabbitMq:
                    x.UsingRabbitMq((context, cfg) =>
                    {
                        var url = new Uri(messaging.RabbitMqUrl);
                        var user = Uri.UnescapeDataString(url.UserInfo.Split(':')[0]);
                        var password = url.UserInfo.Contains(':') ? Uri.UnescapeDataString(url.UserInfo[(url.UserInfo.IndexOf(':') + 1)..]) : string.Empty;
                        var vhost = url.AbsolutePath.Trim('/');
                        cfg.Host(url.Host, (ushort)(url.IsDefaultPort || url.Port < 0 ? 5672 : url.Port), vhost.Length == 0 ? "/" : Uri.UnescapeDataString(vhost), h =>
                        {
                            if (user.Length > 0)
                            {
                                h.Username(user);
                                h.Password(password);
                            }
                        });
                        cfg.ConfigureEndpoints(context);
                    });
                    break;
                default:
                    x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
                    break;
            }
        });
        return builder;
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }

    private static string Require(IConfiguration configuration, string key) =>
        configuration[key] is { Length: > 0 } value ? value : throw new OptionsValidationException(key, typeof(string), [$"{key} is required."]);
}
