using EmiPlatform.Grains.Tests.Infrastructure;
using Xunit.Abstractions;

namespace EmiPlatform.Grains.Tests;

/// <summary>Issue 11's fairness scenario: one lab's backlog cannot starve another lab's handful of uploads.</summary>
public sealed class FairnessTests(ITestOutputHelper output)
{
    private const int Slots = 2;
    private const int BacklogA = 200;
    private const int UploadsB = 5;
    private static readonly TimeSpan Scoring = TimeSpan.FromMilliseconds(40);

    /// <summary>
    /// Both tenants have the default share s = the cluster's scoring slots = <see cref="Slots"/>; the simulated
    /// scoring silo has k = <see cref="Slots"/> slots, takes messages first in first out and spends the same time on
    /// every job.
    ///
    /// The bound. A's grain keeps at most s of A's jobs released (queued in the transport or running) at any moment.
    /// So each of B's jobs enters the queue behind at most s of A's; A's jobs released after it queue behind it, start
    /// after it (FIFO) and, all jobs taking the same time, finish after it. Hence while one of B's jobs is in flight
    /// (released, not yet finished) at most s of A's jobs finish. From B's first upload to B's last completion B has
    /// a job in flight except in at most 1 + 5 short gaps (before its first release, and after each of its jobs
    /// finishes until its grain releases the next: one grain round, far shorter than a job), in each of which at most
    /// k − 1 other slots can finish a job (the reporting slot is busy telling the grains). So
    ///     A's completions in the window ≤ 5·s + 6·(k − 1) = 16 for s = k = 2.
    /// First-in-first-out dispatch of A's whole backlog would put all of A's unfinished jobs ahead of B's first:
    /// about 200 of A's jobs would complete in that window.
    /// </summary>
    [Fact]
    public async Task A_tenant_with_five_uploads_is_served_within_its_share_while_another_tenant_has_two_hundred_queued()
    {
        await using var cluster = await GrainCluster.StartAsync(slots: Slots);
        var bundle = await cluster.Seed.BundleAsync();
        var a = await GrainLab.CreateAsync(cluster, bundle);
        var b = await GrainLab.CreateAsync(cluster, bundle);
        var studyA = await a.StudyAsync();
        var studyB = await b.StudyAsync();
        await a.UploadManyAsync(studyA, BacklogA);

        await using var silo = new ScoringSilo(cluster, Slots, Scoring);
        var completedBeforeB = silo.Completed.Count;
        var remainingA = BacklogA - completedBeforeB;
        await b.UploadManyAsync(studyB, UploadsB);
        await Eventually.WaitAsync(() => silo.Completed.Count(j => j.TenantId == b.TenantId) == UploadsB,
            TimeSpan.FromSeconds(60), $"B's {UploadsB} jobs completed");

        var completed = silo.Completed;
        var lastOfB = completed.Select((job, index) => (job, index)).Last(x => x.job.TenantId == b.TenantId).index;
        var aDuringB = completed.Skip(completedBeforeB).Take(lastOfB + 1 - completedBeforeB).Count(j => j.TenantId == a.TenantId);
        const int share = Slots;
        const int bound = UploadsB * share + (UploadsB + 1) * (Slots - 1);
        output.WriteLine($"fairness: {aDuringB} of tenant A's jobs completed between B's first upload and B's last completion " +
            $"(bound {bound} = 5·s + 6·(k−1), s = k = {Slots}; first-in-first-out would be {remainingA}, A's jobs unfinished at B's first upload)");

        Assert.True(remainingA > bound, $"the scenario must be one FIFO would fail: only {remainingA} of A's jobs were left");
        Assert.InRange(aDuringB, 0, bound);
    }
}
