using EmiPlatform.Api.Auth;
using EmiPlatform.Data;
using EmiPlatform.Storage;

namespace EmiPlatform.Api.Participants;

/// <summary>What the participant writes work with, bound as one <c>[AsParameters]</c> group.</summary>
public readonly record struct ParticipantServices(
    EmiDbContext Db,
    CurrentTenant Tenant,
    TimeProvider Clock,
    IBlobStore Blobs);
