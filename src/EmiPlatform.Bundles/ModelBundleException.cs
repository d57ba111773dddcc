namespace EmiPlatform.Bundles;

/// <summary>A bundle directory that is missing, unreadable or breaks the manifest contract.</summary>
public sealed class ModelBundleException(string message, Exception? inner = null) : Exception(message, inner);
