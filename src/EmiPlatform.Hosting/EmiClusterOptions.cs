using System.ComponentModel.DataAnnotations;

namespace EmiPlatform.Hosting;

/// <summary>
/// Configuration section <c>Orleans</c>. <see cref="ClusterMode.Embedded"/> (the default): this process is the whole
/// platform, one silo with localhost clustering. <see cref="ClusterMode.Cluster"/>: silos find each other, and API
/// hosts find the silos, through ADO.NET clustering on PostgreSQL (schema <c>orleans</c>).
/// </summary>
public sealed class EmiClusterOptions
{
    public const string Section = "Orleans";

    public ClusterMode Mode { get; set; } = ClusterMode.Embedded;

    /// <summary>
    /// What this process is: <c>client</c> (an API host without grains), or a silo with the roles <c>coordinator</c>
    /// (hosts the tenant and study grains) and/or <c>scoring</c> (runs the pipeline). Embedded: coordinator,scoring.
    /// </summary>
    public string Roles { get; set; } = "coordinator,scoring";

    [Required]
    public string ClusterId { get; set; } = "emi";

    [Required]
    public string ServiceId { get; set; } = "emi-platform";

    /// <summary>Silo-to-silo port; 0 picks a free one (tests, several silos on one machine).</summary>
    [Range(0, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Gateway port for Orleans clients (API hosts); cluster mode only; 0 picks a free one.</summary>
    [Range(0, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos reach this one at; empty = loopback.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Npgsql connection string of the Orleans role, with <c>Search Path=orleans</c> (cluster mode).</summary>
    public string? ClusteringConnectionString { get; set; }

    /// <summary>Mutual TLS on the silo and gateway ports; off while no certificate is configured.</summary>
    public ClusterTlsOptions Tls { get; set; } = new();

    public bool IsClient => Has("client");
    public bool IsCoordinator => Has("coordinator");
    public bool IsScoring => Has("scoring");

    private bool Has(string role) =>
        Roles.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Contains(role, StringComparer.OrdinalIgnoreCase);
}

public enum ClusterMode
{
    Embedded,
    Cluster,
}
