using EmiPlatform.Api.Auth;
using EmiPlatform.Data;
using EmiPlatform.Scoring.Webhooks;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Api.Webhooks;

/// <summary>What the webhook writes work with, bound as one <c>[AsParameters]</c> group.</summary>
public readonly record struct WebhookServices(
    EmiDbContext Db,
    CurrentTenant Tenant,
    IOptions<WebhookOptions> Options,
    TimeProvider Clock);
