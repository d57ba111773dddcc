namespace EmiPlatform.Cli.Config;

/// <summary>Where a command connects, and where each half of that came from (shown by <c>emi me</c>).</summary>
public sealed record Connection(Uri Url, string Key, string Source);
