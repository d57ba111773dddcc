namespace EmiPlatform.Harness;

/// <summary>How a <see cref="Platform"/> is deployed.</summary>
public enum Topology
{
    /// <summary>API host as an Orleans client; coordinator and scoring silos as processes; RabbitMQ; ADO.NET clustering on PostgreSQL.</summary>
    Cluster,

    /// <summary>One API process that is its own silo, with the in-memory transport (<c>make demo</c>).</summary>
    Embedded,
}
