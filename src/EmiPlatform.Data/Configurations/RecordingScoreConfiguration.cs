using EmiPlatform.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmiPlatform.Data.Configurations;

internal sealed class RecordingScoreConfiguration : IEntityTypeConfiguration<RecordingScore>
{
    public void Configure(EntityTypeBuilder<RecordingScore> builder)
    {
        builder.ToTable("recording_scores");
        builder.HasKey(s => new { s.RecordingId, s.BundleId });
        builder.HasOne<Tenant>().WithMany().HasForeignKey(s => s.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Recording>().WithMany().HasForeignKey(s => s.RecordingId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<RegisteredBundle>().WithMany().HasForeignKey(s => s.BundleId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(s => s.TenantId).HasColumnName("tenant_id");
        builder.Property(s => s.RecordingId).HasColumnName("recording_id");
        builder.Property(s => s.BundleId).HasColumnName("bundle_id");
        builder.Property(s => s.JobId).HasColumnName("job_id");
        builder.Property(s => s.DurationSeconds).HasColumnName("duration_seconds");
        builder.Property(s => s.WindowCount).HasColumnName("window_count");
        builder.Property(s => s.Admiration).HasColumnName("admiration");
        builder.Property(s => s.Amusement).HasColumnName("amusement");
        builder.Property(s => s.Determination).HasColumnName("determination");
        builder.Property(s => s.EmpathicPain).HasColumnName("empathic_pain");
        builder.Property(s => s.Excitement).HasColumnName("excitement");
        builder.Property(s => s.Joy).HasColumnName("joy");
        builder.Property(s => s.Valence).HasColumnName("valence");
        builder.Property(s => s.Arousal).HasColumnName("arousal");
        builder.Property(s => s.Dominance).HasColumnName("dominance");
        builder.Property(s => s.HasAudio).HasColumnName("has_audio");
        builder.Property(s => s.HasVideo).HasColumnName("has_video");
        builder.Property(s => s.ScoredAt).HasColumnName("scored_at");
    }
}
