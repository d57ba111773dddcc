using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace EmiPlatform.Api.Recordings;

/// <summary>
/// A 302 to a SAS URL. ASP.NET Core's own redirect result logs its destination ("Executing RedirectResult,
/// redirecting to …", Information), and a SAS URL's signature is a credential for as long as it lives; this one
/// writes no log line, and tells caches not to keep the link.
/// </summary>
public sealed class SasRedirectResult(Uri sas) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public int? StatusCode => StatusCodes.Status302Found;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status302Found;
        response.Headers.Location = sas.AbsoluteUri;
        response.Headers.CacheControl = "no-store";
        return Task.CompletedTask;
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status302Found, typeof(void)));
}
