using EmiPlatform.Data;
using Microsoft.AspNetCore.Mvc;

namespace EmiPlatform.Api.Tenants;

/// <summary>
/// What a tenant update works with (on the admin role), bound as one <c>[AsParameters]</c> group. [FromServices] on each
/// member also keeps the validation filter from walking into them.
/// </summary>
public readonly record struct TenantServices(
    [FromServices] AdminDbContext Db,
    [FromServices] TimeProvider Clock,
    [FromServices] IGrainFactory Grains);
