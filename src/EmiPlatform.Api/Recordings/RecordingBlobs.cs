using EmiPlatform.Storage;

namespace EmiPlatform.Api.Recordings;

/// <summary>
/// Blob names mirror ownership — tenant/study/participant/recording — so erasing any level is one prefix,
/// and a direct-upload URL can only ever name a blob inside its own tenant.
/// </summary>
public static class RecordingBlobs
{
    public static string Name(Guid tenantId, Guid studyId, Guid participantId, Guid recordingId) =>
        $"{tenantId}/{studyId}/{participantId}/{recordingId}";

    public static string TenantPrefix(Guid tenantId) => $"{tenantId}/";

    public static string StudyPrefix(Guid tenantId, Guid studyId) => $"{tenantId}/{studyId}/";

    public static string ParticipantPrefix(Guid tenantId, Guid studyId, Guid participantId) => $"{tenantId}/{studyId}/{participantId}/";

    /// <summary>Deletes every blob under <paramref name="prefix"/>; returns how many.</summary>
    public static async Task<int> DeletePrefixAsync(this IBlobStore blobs, string prefix, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var blob in blobs.ListAsync(prefix, cancellationToken: cancellationToken))
        {
            names.Add(blob.Name);
        }
        foreach (var name in names)
        {
            await blobs.DeleteAsync(name, cancellationToken);
        }
        return names.Count;
    }
}
