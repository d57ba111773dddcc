using System.Globalization;
using EmiPlatform.Abstractions.Silos;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace EmiPlatform.Grains;

/// <summary>The scoring slots the active silos advertise in their metadata: the default share of every tenant.</summary>
public sealed class ClusterSlots(IClusterMembershipService membership, ISiloMetadataCache metadata)
{
    public int Total => membership.CurrentSnapshot.Members.Values
        .Where(m => m.Status == SiloStatus.Active)
        .Sum(m => metadata.GetSiloMetadata(m.SiloAddress).Metadata.TryGetValue(SiloMetadataKeys.Slots, out var slots)
            && int.TryParse(slots, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0);
}
