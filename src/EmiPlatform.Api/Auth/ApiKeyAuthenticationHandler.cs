using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using EmiPlatform.Api.Problems;
using EmiPlatform.Api.RateLimits;
using EmiPlatform.Data;
using EmiPlatform.Data.Configurations;
using EmiPlatform.Data.Entities;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Api.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer emi_…</c> (or <c>X-Api-Key</c>) against the bootstrap admin key and the
/// api_keys table. Looks keys up on every request, so a revocation takes effect on the next one.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AdminDbContext db,
    IOptions<AuthOptions> authOptions,
    UnknownKeyThrottle unknownKeys,
    TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    // Writing last_used_at on every request would turn each read into a write; a minute's resolution is enough.
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = ReadKey(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }
        if (IsBootstrapAdminKey(presented))
        {
            return Success(new Claim(ClaimTypes.Role, Roles.PlatformAdmin));
        }
        if (!ApiKeyFormat.TryParse(presented, out var publicId, out var secret))
        {
            return AuthenticateResult.Fail("The API key is malformed.");
        }
        var address = Context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (!unknownKeys.MayLookUp(address))
        {
            return AuthenticateResult.Fail("Too many unknown API keys from this address; this one was not looked up.");
        }

        var ct = Context.RequestAborted;
        var found = await db.ApiKeys.AsNoTracking()
            .Where(k => k.PublicId == publicId)
            .Join(db.Tenants, k => k.TenantId, t => t.Id, (k, t) => new { Key = k, TenantStatus = t.Status })
            .SingleOrDefaultAsync(ct);
        if (found is null || found.Key.RevokedAt is not null || !ApiKeyFormat.Matches(secret, found.Key.SecretHash))
        {
            unknownKeys.CountFailure(address);
            return AuthenticateResult.Fail("The API key is unknown or revoked.");
        }

        var now = clock.GetUtcNow();
        if (found.Key.LastUsedAt is null || now - found.Key.LastUsedAt > LastUsedResolution)
        {
            await db.ApiKeys.Where(k => k.Id == found.Key.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), ct);
        }

        return Success(
            new Claim(ClaimTypes.Role, SnakeCaseEnumConverter<ApiKeyRole>.ToSnakeCase(found.Key.Role.ToString())),
            new Claim(EmiClaims.TenantId, found.Key.TenantId.ToString()),
            new Claim(EmiClaims.TenantStatus, SnakeCaseEnumConverter<TenantStatus>.ToSnakeCase(found.TenantStatus.ToString())),
            new Claim(EmiClaims.KeyId, found.Key.Id.ToString()));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ProblemWriter.WriteAsync(Context, StatusCodes.Status401Unauthorized, ProblemTypes.Unauthorized, "Unauthorized",
            "Send a valid API key as 'Authorization: Bearer emi_…'.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Context.User.HasClaim(EmiClaims.TenantStatus, "suspended")
            ? ProblemWriter.WriteAsync(Context, StatusCodes.Status403Forbidden, ProblemTypes.TenantSuspended, "Tenant suspended",
                "This tenant is suspended; contact the platform administrator.")
            : ProblemWriter.WriteAsync(Context, StatusCodes.Status403Forbidden, ProblemTypes.Forbidden, "Forbidden",
                "This API key's role may not do this.");

    private AuthenticateResult Success(params Claim[] claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));

    private bool IsBootstrapAdminKey(string presented)
    {
        var configured = authOptions.Value.BootstrapAdminKey;
        return configured.Length > 0 && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(configured)));
    }

    private static string? ReadKey(HttpRequest request)
    {
        string? authorization = request.Headers.Authorization;
        if (authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }
        string? header = request.Headers["X-Api-Key"];
        return string.IsNullOrWhiteSpace(header) ? null : header.Trim();
    }
}
