namespace EmiPlatform.Contracts.Transport;

/// <summary>Configuration section <c>Messaging</c>: which MassTransit transport carries job wake-ups.</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary><c>InMemory</c> (the embedded default: one process) or <c>RabbitMq</c> (silos in several processes).</summary>
    public MessagingTransport Transport { get; set; } = MessagingTransport.InMemory;

    /// <summary>amqp://user:password@host:port/vhost; used with <see cref="MessagingTransport.RabbitMq"/>.</summary>
    public string RabbitMqUrl { get; set; } = "amqp://guest:guest@127.0.0.1:5672/";

    /// <summary>Prefix of queue names, so several deployments (or test runs) can share one broker.</summary>
    public string QueuePrefix { get; set; } = string.Empty;

    public string ScoreQueue => QueuePrefix + "score-recording";
}
