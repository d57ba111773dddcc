using EmiPlatform.Abstractions.Studies;

namespace EmiPlatform.Grains.Tests.Infrastructure;

/// <summary>A tenant with one participant in each of its studies, registering uploads through the study grains.</summary>
public sealed class GrainLab
{
    private readonly GrainCluster _cluster;
    private readonly Dictionary<Guid, Guid> _participants = [];

    private GrainLab(GrainCluster cluster, Guid tenantId, Guid bundleId)
    {
        _cluster = cluster;
        TenantId = tenantId;
        BundleId = bundleId;
    }

    public Guid TenantId { get; }
    public Guid BundleId { get; }

    public static async Task<GrainLab> CreateAsync(GrainCluster cluster, Guid bundleId, int? maxConcurrentJobs = null, long? maxStorageBytes = null,
        int? maxRecordings = null, bool suspended = false) =>
        new(cluster, await cluster.Seed.TenantAsync(maxConcurrentJobs, maxStorageBytes, maxRecordings, suspended), bundleId);

    public async Task<Guid> StudyAsync()
    {
        var study = await _cluster.Seed.StudyAsync(TenantId);
        _participants[study] = await _cluster.Seed.ParticipantAsync(TenantId, study);
        return study;
    }

    public Guid ParticipantOf(Guid studyId) => _participants[studyId];

    /// <summary>Registers one upload (random bytes unless given) through the study grain.</summary>
    public Task<RegistrationOutcome> UploadAsync(Guid studyId, byte[]? bytes = null) =>
        _cluster.Study(studyId).RegisterRecordingAsync(Seed.Registration(_participants[studyId], BundleId, bytes));

    /// <summary>Registers <paramref name="count"/> uploads one after another; returns their job ids in order.</summary>
    public async Task<List<Guid>> UploadManyAsync(Guid studyId, int count)
    {
        var jobs = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var outcome = await UploadAsync(studyId);
            Assert.Equal(RegistrationResult.Created, outcome.Result);
            jobs.Add(outcome.JobId!.Value);
        }
        return jobs;
    }
}
