using EmiPlatform.Api.Auth;
using EmiPlatform.Data;
using EmiPlatform.Storage;
using Microsoft.AspNetCore.Mvc;

namespace EmiPlatform.Api.Participants;

/// <summary>
/// What the participant writes work with, bound as one <c>[AsParameters]</c> group. [FromServices] on each
/// member also keeps the validation filter from walking into them.
/// </summary>
public readonly record struct ParticipantServices(
    [FromServices] EmiDbContext Db,
    [FromServices] CurrentTenant Tenant,
    [FromServices] TimeProvider Clock,
    [FromServices] IBlobStore Blobs);
