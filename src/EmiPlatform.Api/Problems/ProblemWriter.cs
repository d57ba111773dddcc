using Microsoft.AspNetCore.Mvc;

namespace EmiPlatform.Api.Problems;

/// <summary>Writes a problem response from middleware and handlers that run outside an endpoint's result.</summary>
public static class ProblemWriter
{
    public static async Task WriteAsync(HttpContext context, int status, string type, string title, string detail)
    {
        context.Response.StatusCode = status;
        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await service.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Type = type, Title = title, Detail = detail },
        });
    }
}
