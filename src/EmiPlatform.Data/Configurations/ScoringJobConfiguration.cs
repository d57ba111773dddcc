using EmiPlatform.Abstractions.Jobs;
using EmiPlatform.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmiPlatform.Data.Configurations;

internal sealed class ScoringJobConfiguration : IEntityTypeConfiguration<ScoringJob>
{
    public void Configure(EntityTypeBuilder<ScoringJob> builder)
    {
        builder.ToTable("scoring_jobs");
        builder.HasKey(j => j.Id);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(j => j.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Study>().WithMany().HasForeignKey(j => j.StudyId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Recording>().WithMany().HasForeignKey(j => j.RecordingId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<StudyRun>().WithMany().HasForeignKey(j => j.RunId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<RegisteredBundle>().WithMany().HasForeignKey(j => j.BundleId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(j => j.Id).HasColumnName("id");
        builder.Property(j => j.TenantId).HasColumnName("tenant_id");
        builder.Property(j => j.StudyId).HasColumnName("study_id");
        builder.Property(j => j.RecordingId).HasColumnName("recording_id");
        builder.Property(j => j.BundleId).HasColumnName("bundle_id");
        builder.Property(j => j.RunId).HasColumnName("run_id");
        builder.Property(j => j.State).HasColumnName("state").HasColumnType("text").HasConversion(new SnakeCaseEnumConverter<JobState>());
        builder.Property(j => j.Attempts).HasColumnName("attempts");
        builder.Property(j => j.MaxAttempts).HasColumnName("max_attempts");
        builder.Property(j => j.Progress).HasColumnName("progress");
        builder.Property(j => j.Worker).HasColumnName("worker").HasMaxLength(200);
        builder.Property(j => j.ExecutionProvider).HasColumnName("execution_provider").HasMaxLength(50);
        builder.Property(j => j.LeaseExpiresAt).HasColumnName("lease_expires_at");
        builder.Property(j => j.Error).HasColumnName("error");
        builder.Property(j => j.CreatedAt).HasColumnName("created_at");
        builder.Property(j => j.StartedAt).HasColumnName("started_at");
        builder.Property(j => j.FinishedAt).HasColumnName("finished_at");
        builder.Property(j => j.UpdatedAt).HasColumnName("updated_at");
    }
}
