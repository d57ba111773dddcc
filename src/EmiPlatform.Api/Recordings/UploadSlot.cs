using EmiPlatform.Abstractions.Tenants;
using Orleans.Runtime;

namespace EmiPlatform.Api.Recordings;

/// <summary>
/// One of the tenant's concurrent-upload slots, held by this request from before its first byte is stored until its
/// row is written or it failed. The tenant's grain keeps the count, so the limit holds across every API host; this
/// renews the slot's lease while the upload runs (a long one outlives it) and releases it when disposed.
/// </summary>
public sealed class UploadSlot : IAsyncDisposable
{
    /// <summary>Well inside <c>Coordination:UploadSlotLease</c> (30 s at least), so a live upload never loses its slot.</summary>
    private static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(10);

    private readonly ITenantGrain _tenant;
    private readonly Guid _uploadId;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewing;

    private UploadSlot(ITenantGrain tenant, Guid uploadId)
    {
        _tenant = tenant;
        _uploadId = uploadId;
        _renewing = RenewAsync();
    }

    /// <summary>
    /// The slot, or null with why not: the tenant's uploads in progress are at the limit, or this upload is already in
    /// progress (another request holds its slot).
    /// </summary>
    public static async Task<(UploadSlot? Slot, UploadSlotGrant Grant)> TryTakeAsync(IGrainFactory grains, Guid tenantId, Guid uploadId)
    {
        var tenant = grains.GetGrain<ITenantGrain>(tenantId);
        var grant = await tenant.TakeUploadSlotAsync(uploadId);
        return (grant == UploadSlotGrant.Taken ? new UploadSlot(tenant, uploadId) : null, grant);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _renewing;
        _stop.Dispose();
        try
        {
            await _tenant.ReleaseUploadSlotAsync(_uploadId);
        }
        catch (Exception e) when (IsFailover(e))
        {
            // The grain is moving to another silo: its fresh activation does not know this slot anyway.
        }
    }

    private async Task RenewAsync()
    {
        using var timer = new PeriodicTimer(RenewEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    await _tenant.KeepUploadSlotAsync(_uploadId);
                }
                catch (Exception e) when (IsFailover(e))
                {
                    // A silo failover takes seconds; the next renewal re-takes the slot on the grain's new activation.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // disposed: the upload is over
        }
    }

    private static bool IsFailover(Exception e) => e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException;
}
