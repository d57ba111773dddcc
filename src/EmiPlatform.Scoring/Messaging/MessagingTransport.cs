namespace EmiPlatform.Scoring.Messaging;

public enum MessagingTransport
{
    InMemory,
    RabbitMq,
}
