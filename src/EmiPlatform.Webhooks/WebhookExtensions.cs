using EmiPlatform.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EmiPlatform.Webhooks;

public static class WebhookExtensions
{
    /// <summary>
    /// Webhook options (used by the API to check URLs) and, unless <c>Webhooks:Deliver</c> is false, the deliverer.
    /// The deliverer uses the database roles of <c>AddEmiDataSources</c>, which it adds if absent.
    /// </summary>
    public static IHostApplicationBuilder AddEmiWebhooks(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.Timeout > TimeSpan.Zero && o.InitialBackoff >= TimeSpan.Zero && o.MaxBackoff >= o.InitialBackoff && o.PollInterval > TimeSpan.Zero,
                "Webhooks: Timeout and PollInterval must be positive, MaxBackoff at least InitialBackoff.")
            .Validate(o => o.SecretRotationWindow >= TimeSpan.Zero && o.SecretRotationWindow <= TimeSpan.FromDays(30),
                "Webhooks: SecretRotationWindow must be between 0 and 30 days.")
            .ValidateOnStart();
        if (builder.Configuration.GetSection(WebhookOptions.Section).GetValue(nameof(WebhookOptions.Deliver), true))
        {
            services.AddEmiDataSources();
            services.AddSingleton<WebhookOutbox>();
            services.AddSingleton<WebhookSender>();
            services.AddHostedService<WebhookDeliverer>();
        }
        return builder;
    }
}
