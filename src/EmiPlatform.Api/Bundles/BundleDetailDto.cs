using System.Text.Json;
using EmiPlatform.Data.Entities;

namespace EmiPlatform.Api.Bundles;

/// <summary>A bundle as listed plus its manifest, which names each branch's backbone and head by SHA-256.</summary>
public sealed record BundleDetailDto(Guid Id, string Name, string Version, bool Trained, DateTimeOffset RegisteredAt, string Owner, JsonElement Manifest)
{
    public static BundleDetailDto From(RegisteredBundle b)
    {
        using var manifest = JsonDocument.Parse(b.Manifest);
        return new(b.Id, b.Name, b.Version, b.Trained, b.RegisteredAt, b.TenantId is null ? "platform" : "tenant", manifest.RootElement.Clone());
    }
}
