using EmiPlatform.Data;

namespace EmiPlatform.Api.Tenants;

/// <summary>What a tenant update works with (on the admin role), bound as one <c>[AsParameters]</c> group.</summary>
public readonly record struct TenantServices(
    AdminDbContext Db,
    TimeProvider Clock,
    IGrainFactory Grains);
