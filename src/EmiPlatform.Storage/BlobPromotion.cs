namespace EmiPlatform.Storage;

/// <summary>What <see cref="IBlobStore.PromoteAsync"/> did.</summary>
/// <param name="Status">how it ended</param>
/// <param name="Hash">length and SHA-256 of the promoted bytes and the blob's ETag once its metadata is written; set when <see cref="BlobPromotionStatus.Promoted"/></param>
/// <param name="ContentType">the blob's Content-Type as the staging write set it (null when none)</param>
/// <param name="StagingWasGone">
/// the staging blob no longer existed but the promoted one did: an earlier promotion copied it (and may or may not have
/// finished); the caller decides whether that earlier one already registered it
/// </param>
public sealed record BlobPromotion(BlobPromotionStatus Status, BlobHash? Hash, string? ContentType, bool StagingWasGone);
