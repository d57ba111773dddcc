namespace EmiPlatform.Api.Me;

/// <summary>
/// A tenant's open direct uploads (started, neither completed nor expired): <see cref="Open"/> of <see cref="MaxOpen"/>,
/// and <see cref="ReservedStorageBytes"/>, what they reserve of the storage quota on top of the stored bytes until each
/// is completed (then its real size counts) or expires.
/// </summary>
public sealed record OpenUploadsDto(int Open, int MaxOpen, long ReservedStorageBytes, DateTimeOffset? OldestExpiresAt);
