using System.Data.Common;
using System.Globalization;
using System.Net;
using EmiPlatform.Abstractions.Silos;
using EmiPlatform.Bundles;
using EmiPlatform.Grains;
using EmiPlatform.Grains.Studies;
using EmiPlatform.Grains.Tenants;
using EmiPlatform.Inference;
using EmiPlatform.Scoring.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace EmiPlatform.Hosting;

public static class ClusterHostingExtensions
{
    private const string Invariant = "Npgsql";

    /// <summary>
    /// Joins the platform as configuration says (<see cref="EmiClusterOptions"/>): an Orleans client, or a silo that
    /// hosts the coordinator grains and/or scores, with the MassTransit bus its roles need.
    /// </summary>
    public static IHostApplicationBuilder AddEmiCluster(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EmiClusterOptions>().BindConfiguration(EmiClusterOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(EmiClusterOptions.Section).Get<EmiClusterOptions>() ?? new EmiClusterOptions();
        var certificate = options.Tls.CertificatePath is { Length: > 0 } path ? ClusterCertificate.Load(path, options.Tls.CertificatePassword) : null;
        if (options.IsClient)
        {
            if (options.Mode == ClusterMode.Embedded)
            {
                throw new InvalidOperationException("Orleans:Roles 'client' needs Orleans:Mode 'Cluster': an embedded platform is its own silo.");
            }
            builder.UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (options.ClusterId, options.ServiceId));
                client.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = (Invariant, Clustering(options)));
                client.Services.Configure<GatewayOptions>(builder.Configuration.GetSection($"{EmiClusterOptions.Section}:Gateway"));
                client.UseConnectionRetryFilter<UntilSilosAnswer>();
                client.AddOutgoingGrainCallFilter<RetryUndeliveredCalls>();
                // A grain call carries the caller's trace (docs/operations.md, Telemetry).
                client.AddActivityPropagation();
                if (certificate is not null)
                {
                    client.UseClusterTls(certificate);
                }
            });
            return builder;
        }
        if (!options.IsCoordinator && !options.IsScoring)
        {
            throw new InvalidOperationException($"Orleans:Roles '{options.Roles}' names no role: use client, or coordinator and/or scoring.");
        }
        if (options.IsScoring)
        {
            builder.AddEmiScoring();
        }
        if (options.IsCoordinator)
        {
            builder.AddEmiCoordination();
        }
        builder.AddEmiBus(consumeScoring: options.IsScoring);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (options.ClusterId, options.ServiceId));
            var siloPort = FreePort.Or(options.SiloPort);
            if (options.Mode == ClusterMode.Embedded)
            {
                // One process: no Orleans client connects from outside, so no gateway listens (port 0).
                silo.UseLocalhostClustering(siloPort, gatewayPort: 0, serviceId: options.ServiceId, clusterId: options.ClusterId);
                silo.UseInMemoryReminderService();
            }
            else
            {
                var address = string.IsNullOrWhiteSpace(options.AdvertisedAddress) ? IPAddress.Loopback : IPAddress.Parse(options.AdvertisedAddress);
                // Clients (API hosts) enter through coordinators only: a scoring silo, the one most often added, removed or
                // lost, opens no gateway, so no client's calls are routed through it.
                silo.ConfigureEndpoints(address, siloPort, options.IsCoordinator ? FreePort.Or(options.GatewayPort) : 0, listenOnAnyHostAddress: false);
                silo.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = (Invariant, Clustering(options)));
                silo.UseAdoNetReminderService(o => (o.Invariant, o.ConnectionString) = (Invariant, Clustering(options)));
                // How fast a dead silo is noticed (probe timeouts, votes) is an operator's trade-off: configurable.
                silo.Services.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection($"{EmiClusterOptions.Section}:Membership"));
            }
            silo.UseSiloMetadata(Metadata(builder.Configuration, options));
            silo.AddOutgoingGrainCallFilter<RetryUndeliveredCalls>();
            silo.AddActivityPropagation();
            if (certificate is not null)
            {
                silo.UseClusterTls(certificate);
            }
            if (!options.IsCoordinator)
            {
                // Placement by what a silo loads: a scoring silo offers no coordinator grain class, so its cores score.
                silo.Services.PostConfigure<GrainTypeOptions>(o => o.Classes.RemoveWhere(t => t.Assembly == typeof(StudyGrain).Assembly));
            }
        });
        if (options.IsCoordinator)
        {
            builder.Services.AddHostedService<CoordinationResume>();
        }
        return builder;
    }

    private static IHostApplicationBuilder AddEmiCoordination(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CoordinationOptions>().BindConfiguration(CoordinationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.AddEmiBundles();
        builder.Services.AddSingleton<StudyStore>();
        builder.Services.AddSingleton<TenantLimitsReader>();
        builder.Services.AddSingleton<TenantStore>();
        builder.Services.AddSingleton<ClusterSlots>();
        return builder;
    }

    private static Dictionary<string, string> Metadata(IConfiguration configuration, EmiClusterOptions options)
    {
        if (!options.IsScoring)
        {
            return new() { [SiloMetadataKeys.Slots] = "0" };
        }
        var scoring = configuration.GetSection(ScoringWorkerOptions.Section).Get<ScoringWorkerOptions>() ?? new ScoringWorkerOptions();
        var inference = configuration.GetSection(InferenceOptions.SectionName).Get<InferenceOptions>() ?? new InferenceOptions();
        var gpus = new GpuInventory(Microsoft.Extensions.Options.Options.Create(inference)).Count;
        return new()
        {
            [SiloMetadataKeys.Accelerator] = gpus > 0 ? "gpu" : "cpu",
            [SiloMetadataKeys.Devices] = string.Join(',', Enumerable.Range(0, gpus)),
            [SiloMetadataKeys.Slots] = scoring.EffectiveConcurrency(gpus).ToString(CultureInfo.InvariantCulture),
        };
    }

    private static string Clustering(EmiClusterOptions options)
    {
        DbProviderFactories.RegisterFactory(Invariant, NpgsqlFactory.Instance);
        return options.ClusteringConnectionString is { Length: > 0 } connectionString ? connectionString
            : throw new InvalidOperationException("Orleans:ClusteringConnectionString is required in cluster mode (the Orleans role, Search Path=orleans).");
    }
}
