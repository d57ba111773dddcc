using EmiPlatform.Data.Tenancy;
using Microsoft.AspNetCore.Authorization;

namespace EmiPlatform.Api.Auth;

public static class AuthExtensions
{
    public static IHostApplicationBuilder AddEmiAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<CurrentTenant>();
        builder.Services.AddScoped<ITenantScope>(sp => sp.GetRequiredService<CurrentTenant>());
        builder.Services.AddSingleton(TimeProvider.System);

        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(
                ApiKeyAuthenticationHandler.SchemeName, null);

        builder.Services.AddAuthorizationBuilder()
            // Endpoints that declare nothing still need a key, and a suspended tenant's key opens nothing.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser()
                .RequireAssertion(c => !c.User.HasClaim(EmiClaims.TenantStatus, "suspended")).Build())
            .AddPolicy(Policies.PlatformAdmin, p => p.RequireRole(Roles.PlatformAdmin))
            .AddPolicy(Policies.TenantRead, p => ActiveTenant(p).RequireRole(Roles.TenantAdmin, Roles.Uploader, Roles.Analyst))
            .AddPolicy(Policies.TenantWrite, p => ActiveTenant(p).RequireRole(Roles.TenantAdmin, Roles.Uploader))
            .AddPolicy(Policies.TenantAdmin, p => ActiveTenant(p).RequireRole(Roles.TenantAdmin));
        return builder;
    }

    private static AuthorizationPolicyBuilder ActiveTenant(AuthorizationPolicyBuilder policy) =>
        policy.RequireClaim(EmiClaims.TenantId).RequireAssertion(c => !c.User.HasClaim(EmiClaims.TenantStatus, "suspended"));
}
