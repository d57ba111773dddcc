using EmiPlatform.Contracts.Transport;
using EmiPlatform.Scoring.Hosting;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EmiPlatform.Hosting;

public static class MessagingExtensions
{
    /// <summary>
    /// The host's one MassTransit bus on the configured transport (<c>Messaging:Transport</c>: InMemory in one process,
    /// RabbitMq across processes): coordinators send and publish on it, scoring silos also consume.
    /// </summary>
    public static IHostApplicationBuilder AddEmiBus(this IHostApplicationBuilder builder, bool consumeScoring)
    {
        builder.Services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.Section);
        var messaging = builder.Configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>() ?? new MessagingOptions();
        builder.Services.AddMassTransit(x =>
        {
            if (consumeScoring)
            {
                x.AddScoringConsumers();
            }
            if (messaging.Transport == MessagingTransport.RabbitMq)
            {
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
            }
            else
            {
                x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
            }
        });
        return builder;
    }
}
