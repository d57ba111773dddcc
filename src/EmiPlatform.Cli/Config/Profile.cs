namespace EmiPlatform.Cli.Config;

/// <summary>One API endpoint and the key to use there.</summary>
public sealed record Profile(string Url, string Key);
