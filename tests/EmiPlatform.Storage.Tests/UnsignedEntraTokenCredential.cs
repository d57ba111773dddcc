using System.Text;
using System.Text.Json;
using Azure.Core;

namespace EmiPlatform.Storage.Tests;

/// <summary>
/// Access tokens shaped like Microsoft Entra ID's for Azure Storage (issuer, audience, lifetime, tenant and object id),
/// without a signature: Entra ID cannot be reached from the test machines, and Azurite's <c>--oauth basic</c> checks the
/// claims but not the signature. Everything after the token — bearer requests, user delegation key, SAS — is real.
/// </summary>
internal sealed class UnsignedEntraTokenCredential : TokenCredential
{
    public Guid TenantId { get; } = Guid.NewGuid();

    public Guid ObjectId { get; } = Guid.NewGuid();

    public int Requests { get; private set; }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        Requests++;
        var now = DateTimeOffset.UtcNow;
        var expires = now.AddHours(1);
        var header = Encode(new { alg = "RS256", typ = "JWT" });
        var payload = Encode(new
        {
            aud = "https://storage.azure.com",
            iss = $"https://sts.windows.net/{TenantId}/",
            nbf = now.AddMinutes(-5).ToUnixTimeSeconds(),
            iat = now.AddMinutes(-5).ToUnixTimeSeconds(),
            exp = expires.ToUnixTimeSeconds(),
            oid = ObjectId,
            tid = TenantId,
        });
        return new AccessToken($"{header}.{payload}.unsigned", expires);
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));

    private static string Encode(object value) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
