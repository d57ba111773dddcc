namespace EmiPlatform.Contracts.Transport;

public enum MessagingTransport
{
    InMemory,
    RabbitMq,
}
