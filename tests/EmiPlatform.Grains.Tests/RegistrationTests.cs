using System.Security.Cryptography;
using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Abstractions.Tenants;
using EmiPlatform.Grains.Tests.Infrastructure;

namespace EmiPlatform.Grains.Tests;

/// <summary>The study grain registers a probed upload and its first job together, or not at all.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public async Task A_registration_commits_the_recording_and_its_queued_job_in_the_studys_open_run()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var lab = await GrainLab.CreateAsync(cluster, await cluster.Seed.BundleAsync());
        var study = await lab.StudyAsync();

        var outcome = await lab.UploadAsync(study);

        Assert.Equal(RegistrationResult.Created, outcome.Result);
        Assert.NotNull(outcome.RecordingId);
        Assert.NotNull(outcome.JobId);
        Assert.Equal(1L, await cluster.CountAsync("SELECT count(*) FROM recordings WHERE id = $1 AND study_id = $2", outcome.RecordingId!.Value, study));
        Assert.Equal(1L, await cluster.CountAsync("""
            SELECT count(*) FROM scoring_jobs j JOIN study_runs r ON r.id = j.run_id
            WHERE j.id = $1 AND j.recording_id = $2 AND j.state = 'queued' AND j.bundle_id = $3 AND r.study_id = $4 AND r.completed_at IS NULL
            """, outcome.JobId!.Value, outcome.RecordingId.Value, lab.BundleId, study));
        Assert.Equal(1L, await cluster.CountAsync("SELECT used_recordings::bigint FROM tenants WHERE id = $1", lab.TenantId));
        var progress = await cluster.Study(study).GetProgressAsync();
        Assert.Equal(await cluster.ScalarAsync<Guid>("SELECT run_id FROM scoring_jobs WHERE id = $1", outcome.JobId.Value), progress.RunId);
        Assert.Equal(1, progress.Total);
    }

    [Fact]
    public async Task The_same_bytes_for_the_same_participant_are_a_duplicate_and_write_nothing_new()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var lab = await GrainLab.CreateAsync(cluster, await cluster.Seed.BundleAsync());
        var study = await lab.StudyAsync();
        var bytes = RandomNumberGenerator.GetBytes(128);

        var first = await lab.UploadAsync(study, bytes);
        var second = await lab.UploadAsync(study, bytes);

        Assert.Equal(RegistrationResult.Created, first.Result);
        Assert.Equal(RegistrationResult.Duplicate, second.Result);
        Assert.Equal(first.RecordingId, second.RecordingId);
        Assert.Null(second.JobId);
        Assert.Equal(1L, await cluster.CountAsync("SELECT count(*) FROM recordings WHERE study_id = $1", study));
        Assert.Equal(1L, await cluster.CountAsync("SELECT count(*) FROM scoring_jobs WHERE study_id = $1", study));
        Assert.Equal(1L, await cluster.CountAsync("SELECT used_recordings::bigint FROM tenants WHERE id = $1", lab.TenantId));
    }

    [Fact]
    public async Task A_tenant_over_its_quota_gets_QuotaExceeded_and_no_recording_job_or_run_is_written()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var bundle = await cluster.Seed.BundleAsync();
        var full = await GrainLab.CreateAsync(cluster, bundle, maxRecordings: 1);
        var study = await full.StudyAsync();
        Assert.Equal(RegistrationResult.Created, (await full.UploadAsync(study)).Result);
        var tiny = await GrainLab.CreateAsync(cluster, bundle, maxStorageBytes: 10);
        var tinyStudy = await tiny.StudyAsync();

        var overCount = await full.UploadAsync(study);
        var overBytes = await tiny.UploadAsync(tinyStudy);

        Assert.Equal(new RegistrationOutcome(RegistrationResult.QuotaExceeded, null, null), overCount);
        Assert.Equal(new RegistrationOutcome(RegistrationResult.QuotaExceeded, null, null), overBytes);
        Assert.Equal(1L, await cluster.CountAsync("SELECT count(*) FROM recordings WHERE tenant_id = $1", full.TenantId));
        Assert.Equal(1L, await cluster.CountAsync("SELECT count(*) FROM scoring_jobs WHERE tenant_id = $1", full.TenantId));
        Assert.Equal(1L, await cluster.CountAsync("SELECT count(*) FROM study_runs WHERE tenant_id = $1", full.TenantId));
        // The refused registration opened no run of its own: the tenant with no room has none at all.
        Assert.Equal(0L, await cluster.CountAsync("SELECT count(*) FROM recordings WHERE tenant_id = $1", tiny.TenantId));
        Assert.Equal(0L, await cluster.CountAsync("SELECT count(*) FROM scoring_jobs WHERE tenant_id = $1", tiny.TenantId));
        Assert.Equal(0L, await cluster.CountAsync("SELECT count(*) FROM study_runs WHERE tenant_id = $1", tiny.TenantId));
        Assert.Equal(0L, await cluster.CountAsync("SELECT used_storage_bytes FROM tenants WHERE id = $1", tiny.TenantId));
        Assert.Equal(StudyProgress.None, await cluster.Study(tinyStudy).GetProgressAsync());
    }

    [Fact]
    public async Task The_tenant_grain_admits_an_upload_against_the_usage_registrations_left_and_refuses_a_suspended_tenant()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var bundle = await cluster.Seed.BundleAsync();
        var lab = await GrainLab.CreateAsync(cluster, bundle, maxStorageBytes: 100, maxRecordings: 2);
        var study = await lab.StudyAsync();
        var tenant = cluster.Client.GetGrain<ITenantGrain>(lab.TenantId);
        Assert.Equal(UploadAdmission.Admitted, await tenant.AdmitUploadAsync(100));

        Assert.Equal(RegistrationResult.Created, (await lab.UploadAsync(study, new byte[64])).Result);

        // Usage is read at each admission: 64 of 100 bytes are used now.
        Assert.Equal(new UploadAdmission(UploadRefusal.QuotaExceeded), await tenant.AdmitUploadAsync(37));
        Assert.Equal(UploadAdmission.Admitted, await tenant.AdmitUploadAsync(36));
        Assert.Equal(RegistrationResult.Created, (await lab.UploadAsync(study, new byte[30])).Result);
        Assert.Equal(new UploadAdmission(UploadRefusal.QuotaExceeded), await tenant.AdmitUploadAsync(0));

        var suspended = await GrainLab.CreateAsync(cluster, bundle, suspended: true);
        Assert.Equal(new UploadAdmission(UploadRefusal.TenantSuspended), await cluster.Client.GetGrain<ITenantGrain>(suspended.TenantId).AdmitUploadAsync(1));
    }
}
