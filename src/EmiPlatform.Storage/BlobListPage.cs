namespace EmiPlatform.Storage;

/// <summary>One page of a listing; pass <see cref="NextMarker"/> back to get the next, null when this was the last.</summary>
public sealed record BlobListPage(IReadOnlyList<BlobItem> Items, string? NextMarker);
