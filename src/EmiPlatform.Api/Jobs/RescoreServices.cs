using EmiPlatform.Bundles;
using EmiPlatform.Data;
using Microsoft.AspNetCore.Mvc;

namespace EmiPlatform.Api.Jobs;

/// <summary>
/// What a re-score works with, bound as one <c>[AsParameters]</c> group. [FromServices] on each
/// member also keeps the validation filter from walking into them.
/// </summary>
public readonly record struct RescoreServices(
    [FromServices] EmiDbContext Db,
    [FromServices] DefaultBundle Defaults,
    [FromServices] IGrainFactory Grains);
