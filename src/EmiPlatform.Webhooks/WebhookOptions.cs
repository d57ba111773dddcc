using System.ComponentModel.DataAnnotations;

namespace EmiPlatform.Webhooks;

/// <summary>Configuration section <c>Webhooks</c>: which targets are allowed, and how deliveries are sent and retried.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Whether this host runs the deliverer. Any number may run (API replicas, workers): each due delivery goes to one.</summary>
    public bool Deliver { get; set; } = true;

    /// <summary>
    /// Allow callback URLs on loopback, private, link-local and other non-public addresses. Off in production, so a
    /// tenant cannot make the platform call into its own network (SSRF); tests and on-premises labs turn it on.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>The whole HTTP call (connect, send, response headers) of one attempt.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts before a delivery is given up as <c>failed</c>.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Wait after the first failed attempt; each further one waits <see cref="BackoffMultiplier"/> times longer, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(10);

    [Range(1.0, 100.0)]
    public double BackoffMultiplier { get; set; } = 6;

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// After a secret rotation, how long the replaced secret still signs deliveries alongside the new one, so receivers
    /// can switch secrets without refusing a delivery.
    /// </summary>
    public TimeSpan SecretRotationWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the deliverer looks for due deliveries.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Deliveries sent at once by one deliverer (so one slow receiver does not hold up the others).</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 8;

    /// <summary>
    /// Of those, the most one tenant's deliveries may take: a tenant whose receivers answer slowly (or never, until
    /// <see cref="Timeout"/>) waits on its own share, and every other tenant's deliveries still go out at once.
    /// </summary>
    [Range(1, 256)]
    public int ConcurrencyPerTenant { get; set; } = 2;

    /// <summary>The wait before attempt <paramref name="attempt"/> + 1, after attempt <paramref name="attempt"/> (1-based) failed.</summary>
    public TimeSpan BackoffAfter(int attempt)
    {
        var seconds = InitialBackoff.TotalSeconds * Math.Pow(BackoffMultiplier, Math.Max(0, attempt - 1));
        return seconds >= MaxBackoff.TotalSeconds ? MaxBackoff : TimeSpan.FromSeconds(seconds);
    }
}
