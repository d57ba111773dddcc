using Orleans.Concurrency;

namespace EmiPlatform.Abstractions.Studies;

/// <summary>
/// One per study (key: the study id): the single writer of the study's recordings and scoring jobs (their erasure
/// included: a recording, a participant, the study), keeper of its
/// progress counters, and the source of its live events. Every change is committed to PostgreSQL before it is
/// announced, and the grain rebuilds itself from PostgreSQL on activation; a reminder reconciles (expired leases
/// re-queued, completion re-checked) so that nothing depends on one call or message arriving.
/// </summary>
[Alias("emi.IStudyGrain")]
public interface IStudyGrain : IGrainWithGuidKey
{
    /// <summary>Inserts a probed upload's recording and its scoring job in one transaction.</summary>
    [Alias("RegisterRecording")]
    Task<RegistrationOutcome> RegisterRecordingAsync(RecordingRegistration registration);

    /// <summary>Queues a job with <paramref name="bundleId"/> for one recording, or for every recording of the study.</summary>
    [Alias("Rescore")]
    Task<RescoreOutcome> RescoreAsync(Guid bundleId, Guid? recordingId);

    /// <summary>Erases a recording of the study with its jobs and results; its blob name, or null when there is no such recording.</summary>
    [Alias("EraseRecording")]
    Task<string?> EraseRecordingAsync(Guid recordingId);

    /// <summary>
    /// Erases a participant of the study with its recordings, jobs and results; false when the study has no such
    /// participant. A run left without jobs ends without <c>study.completed</c>. The caller erases the blobs afterwards.
    /// </summary>
    [Alias("DeleteParticipant")]
    Task<bool> DeleteParticipantAsync(Guid participantId);

    /// <summary>
    /// Erases the study with its participants, recordings, jobs, results and runs, then deactivates; false when there is
    /// no such study. The caller erases the blobs afterwards.
    /// </summary>
    [Alias("DeleteStudy")]
    Task<bool> DeleteStudyAsync();

    [Alias("CancelJob")]
    Task<CancelOutcome> CancelJobAsync(Guid jobId);

    /// <summary>A scoring silo committed a change of the job's row (claimed, finished, given back): read it again.</summary>
    [Alias("JobChanged")]
    Task JobChangedAsync(Guid jobId);

    /// <summary>A scoring silo's heartbeat: how far the job's pipeline is (not stored by the grain, only announced).</summary>
    [Alias("JobProgress"), OneWay]
    Task JobProgressAsync(Guid jobId, float progress);

    [Alias("GetProgress")]
    Task<StudyProgress> GetProgressAsync();

    /// <summary>The current run's jobs and counters, stamped with the id of the last event they include.</summary>
    [Alias("GetSnapshot")]
    Task<StudySnapshot> GetSnapshotAsync();

    /// <summary>The buffered events after <paramref name="lastEventId"/>; null when the buffer no longer reaches back that far.</summary>
    [Alias("GetEventsAfter")]
    Task<StudyEvent[]?> GetEventsAfterAsync(long lastEventId);

    [Alias("Subscribe")]
    Task SubscribeAsync(IStudyObserver observer);

    [Alias("Unsubscribe")]
    Task UnsubscribeAsync(IStudyObserver observer);
}
