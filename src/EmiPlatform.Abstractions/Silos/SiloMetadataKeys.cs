namespace EmiPlatform.Abstractions.Silos;

/// <summary>The silo metadata a scoring silo advertises (Orleans silo metadata, visible to every silo).</summary>
public static class SiloMetadataKeys
{
    /// <summary>"cpu" or "gpu".</summary>
    public const string Accelerator = "emi.accelerator";

    /// <summary>Comma-separated CUDA device ids; empty on CPU.</summary>
    public const string Devices = "emi.devices";

    /// <summary>Pipelines the silo runs at once.</summary>
    public const string Slots = "emi.slots";
}
