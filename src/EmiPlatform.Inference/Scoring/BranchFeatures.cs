namespace EmiPlatform.Inference.Scoring;

/// <summary>Which backbone made a branch's features for a score, and whether they came from the feature cache.</summary>
public sealed record BranchFeatures(string Branch, string BackboneSha256, bool FromCache);
