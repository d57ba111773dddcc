namespace EmiPlatform.Webhooks;

/// <summary>A callback URL's host is not a target the platform may call (unresolvable, or a non-public address).</summary>
public sealed class WebhookTargetException(string message) : Exception(message);
