namespace EmiPlatform.Api.Recordings;

/// <summary>
/// Blob names mirror ownership — tenant/study/participant/recording — so erasing any level is one prefix
/// (<see cref="Storage.IBlobStore.DeletePrefixAsync"/>), and a direct-upload URL can only ever name a blob inside its own tenant.
/// </summary>
public static class RecordingBlobs
{
    /// <summary>Suffix of the name a direct upload writes to; <c>complete</c> promotes it to <see cref="Name"/>.</summary>
    public const string StagingSuffix = ".upload";

    public static string Name(Guid tenantId, Guid studyId, Guid participantId, Guid recordingId) =>
        $"{tenantId}/{studyId}/{participantId}/{recordingId}";

    /// <summary>
    /// Where a direct upload's write SAS points. The recording itself lives at <see cref="Name"/>, which no write SAS
    /// ever covers, so a client cannot change a registered recording's bytes. Under the participant's prefix, so erasure
    /// takes an unfinished upload too. Wanted only while its upload is open (a direct_uploads row): the sweep deletes it
    /// once the upload expired, or at once when written through the SAS after complete.
    /// </summary>
    public static string StagingName(Guid tenantId, Guid studyId, Guid participantId, Guid recordingId) =>
        Name(tenantId, studyId, participantId, recordingId) + StagingSuffix;

    public static string TenantPrefix(Guid tenantId) => $"{tenantId}/";

    public static string StudyPrefix(Guid tenantId, Guid studyId) => $"{tenantId}/{studyId}/";

    public static string ParticipantPrefix(Guid tenantId, Guid studyId, Guid participantId) => $"{tenantId}/{studyId}/{participantId}/";
}
