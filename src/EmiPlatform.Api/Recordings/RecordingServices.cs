using EmiPlatform.Api.Auth;
using EmiPlatform.Data;
using EmiPlatform.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Api.Recordings;

/// <summary>
/// What the upload endpoints work with, bound as one <c>[AsParameters]</c> group. [FromServices] on each
/// member also keeps the validation filter from walking into them.
/// </summary>
public readonly record struct RecordingServices(
    [FromServices] EmiDbContext Db,
    [FromServices] CurrentTenant Tenant,
    [FromServices] IBlobStore Blobs,
    [FromServices] RecordingRegistrar Registrar,
    [FromServices] IGrainFactory Grains,
    [FromServices] IOptions<RecordingOptions> Options,
    [FromServices] TimeProvider Clock);
