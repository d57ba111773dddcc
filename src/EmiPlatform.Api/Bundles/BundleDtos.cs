using EmiPlatform.Data.Entities;

namespace EmiPlatform.Api.Bundles;

/// <summary>A registered bundle. Owner: "platform" (every tenant's) or "tenant" (the caller's lab's own).</summary>
public sealed record BundleDto(Guid Id, string Name, string Version, bool Trained, string Location, DateTimeOffset RegisteredAt, string Owner)
{
    public static BundleDto From(RegisteredBundle b) =>
        new(b.Id, b.Name, b.Version, b.Trained, b.Location, b.RegisteredAt, b.TenantId is null ? "platform" : "tenant");
}

/// <summary>A bundle directory on the servers' filesystem (the same path on every worker).</summary>
public sealed record RegisterBundleRequest(string? Location);
