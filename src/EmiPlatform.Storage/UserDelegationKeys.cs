using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace EmiPlatform.Storage;

/// <summary>
/// The user delegation key that signs SAS when the store runs on a token credential. One key serves many SAS, so it is
/// fetched once a day rather than per SAS; a SAS may not outlive the key that signed it.
/// </summary>
internal sealed class UserDelegationKeys(BlobServiceClient service)
{
    private static readonly TimeSpan KeyLifetime = TimeSpan.FromDays(1);
    // The service refuses keys valid for more than seven days.
    private static readonly TimeSpan MaxKeyLifetime = TimeSpan.FromDays(7);
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private UserDelegationKey? _current;

    public async Task<UserDelegationKey> GetAsync(DateTimeOffset sasExpiresOn, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        if (Volatile.Read(ref _current) is { } key && key.SignedExpiresOn >= sasExpiresOn && key.SignedStartsOn <= now)
        {
            return key;
        }

        var expiresOn = sasExpiresOn > now + KeyLifetime ? sasExpiresOn : now + KeyLifetime;
        if (expiresOn > now + MaxKeyLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(sasExpiresOn), "A user-delegation SAS can be valid for at most seven days.");
        }

        // Two callers racing here each fetch a key; both are valid, the later one is kept.
        var fetched = (await service.GetUserDelegationKeyAsync(now - ClockSkew, expiresOn, cancellationToken)).Value;
        Volatile.Write(ref _current, fetched);
        return fetched;
    }
}
