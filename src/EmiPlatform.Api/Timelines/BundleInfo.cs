namespace EmiPlatform.Api.Timelines;

/// <summary>A registered model bundle as results name it: every row says which bundle produced it and whether it was trained.</summary>
public sealed record BundleInfo(Guid Id, string Name, string Version, bool Trained);
