using EmiPlatform.Data;
using EmiPlatform.Scoring.Bundles;

namespace EmiPlatform.Api.Jobs;

/// <summary>What a re-score works with, bound as one <c>[AsParameters]</c> group.</summary>
public readonly record struct RescoreServices(
    EmiDbContext Db,
    DefaultBundle Defaults,
    IGrainFactory Grains);
