using EmiPlatform.Storage;

namespace EmiPlatform.Api.Security;

/// <summary>
/// Headers every response carries. The dashboard is served from this host and holds an API key, so nothing else may
/// frame it, inject script into it or have a response sniffed into something executable. Its scripts and styles are
/// bundled files of this origin; the only other origin it loads is blob storage, for the recording player's SAS links.
/// </summary>
public static class SecurityHeaders
{
    public static IApplicationBuilder UseEmiSecurityHeaders(this WebApplication app)
    {
        var storage = app.Services.GetRequiredService<IBlobStore>().Container.Uri;
        var policy = ContentSecurityPolicy(storage.GetLeftPart(UriPartial.Authority));
        return app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = policy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            return next(context);
        });
    }

    // uPlot sizes its canvas through style attributes, hence 'unsafe-inline' for styles only; scripts stay 'self'.
    public static string ContentSecurityPolicy(string storageOrigin) =>
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        $"connect-src 'self'; media-src 'self' {storageOrigin}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}
