using EmiPlatform.Api.Auth;
using EmiPlatform.Data;
using EmiPlatform.Webhooks;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Api.Webhooks;

/// <summary>
/// What the webhook writes work with, bound as one <c>[AsParameters]</c> group. [FromServices] on each
/// member also keeps the validation filter from walking into them.
/// </summary>
public readonly record struct WebhookServices(
    [FromServices] EmiDbContext Db,
    [FromServices] CurrentTenant Tenant,
    [FromServices] IOptions<WebhookOptions> Options,
    [FromServices] TimeProvider Clock);
