namespace EmiPlatform.Webhooks;

/// <summary>The rules a callback URL must meet before it is stored.</summary>
public static class WebhookUrl
{
    public const int MaxLength = Data.Limits.WebhookUrlLength;

    /// <summary>Null when <paramref name="url"/> is acceptable, else why not (for a 422 field error).</summary>
    public static async Task<string?> CheckAsync(string? url, bool allowPrivateNetworks, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return "is required";
        }
        if (url.Length > MaxLength)
        {
            return $"must be at most {MaxLength} characters";
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            return "must be an absolute http or https URL";
        }
        if (uri.UserInfo.Length > 0)
        {
            return "must not contain credentials; verify deliveries with the signature instead";
        }
        if (uri.Fragment.Length > 0)
        {
            return "must not contain a fragment";
        }
        try
        {
            await WebhookTargets.ResolveAsync(uri.Host, allowPrivateNetworks, cancellationToken);
        }
        catch (WebhookTargetException ex)
        {
            return $"is not allowed: {ex.Message}";
        }
        return null;
    }
}
