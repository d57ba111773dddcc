using System.Diagnostics;

namespace EmiPlatform.Telemetry;

/// <summary>
/// The platform's own spans (docs/operations.md lists them). Static, as ActivitySource has no factory: each host's
/// tracer provider subscribes to it by <see cref="Name"/>.
/// </summary>
public static class EmiActivitySource
{
    public const string Name = "EmiPlatform";

    public static readonly ActivitySource Instance = new(Name);
}
