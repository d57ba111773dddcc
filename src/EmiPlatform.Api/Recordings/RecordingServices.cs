using EmiPlatform.Api.Auth;
using EmiPlatform.Data;
using EmiPlatform.Storage;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Api.Recordings;

/// <summary>What the upload endpoints work with, bound as one <c>[AsParameters]</c> group.</summary>
public readonly record struct RecordingServices(
    EmiDbContext Db,
    CurrentTenant Tenant,
    IBlobStore Blobs,
    RecordingRegistrar Registrar,
    IGrainFactory Grains,
    IOptions<RecordingOptions> Options,
    TimeProvider Clock);
