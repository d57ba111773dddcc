namespace EmiPlatform.Abstractions.Tenants;

/// <summary>What <see cref="ITenantGrain.TakeUploadSlotAsync"/> answered.</summary>
public enum UploadSlotGrant
{
    /// <summary>The slot is the caller's until it releases it (or stops renewing it).</summary>
    Taken,

    /// <summary>The tenant has as many uploads in progress as it may.</summary>
    AllHeld,

    /// <summary>
    /// This very upload already holds a slot: another request is working on it (a second <c>complete</c> of one direct
    /// upload), so this one must not copy, hash and probe the same file beside it.
    /// </summary>
    AlreadyHeld,
}
