using EmiPlatform.Data.Entities;

namespace EmiPlatform.Api.Bundles;

public sealed record BundleDto(Guid Id, string Name, string Version, bool Trained, string Location, DateTimeOffset RegisteredAt)
{
    public static BundleDto From(RegisteredBundle b) => new(b.Id, b.Name, b.Version, b.Trained, b.Location, b.RegisteredAt);
}

/// <summary>A bundle directory on the servers' filesystem (the same path on every worker).</summary>
public sealed record RegisterBundleRequest(string? Location);
