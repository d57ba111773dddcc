using EmiPlatform.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmiPlatform.Data.Configurations;

internal sealed class TimelineWindowRowConfiguration : IEntityTypeConfiguration<TimelineWindowRow>
{
    public void Configure(EntityTypeBuilder<TimelineWindowRow> builder)
    {
        builder.ToTable("timeline_windows");
        builder.HasKey(w => new { w.RecordingId, w.BundleId, w.WindowIndex });
        builder.HasOne<Tenant>().WithMany().HasForeignKey(w => w.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Recording>().WithMany().HasForeignKey(w => w.RecordingId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<RegisteredBundle>().WithMany().HasForeignKey(w => w.BundleId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(w => w.TenantId).HasColumnName("tenant_id");
        builder.Property(w => w.RecordingId).HasColumnName("recording_id");
        builder.Property(w => w.BundleId).HasColumnName("bundle_id");
        builder.Property(w => w.JobId).HasColumnName("job_id");
        builder.Property(w => w.WindowIndex).HasColumnName("window_index");
        builder.Property(w => w.StartSeconds).HasColumnName("start_s");
        builder.Property(w => w.EndSeconds).HasColumnName("end_s");
        builder.Property(w => w.Admiration).HasColumnName("admiration");
        builder.Property(w => w.Amusement).HasColumnName("amusement");
        builder.Property(w => w.Determination).HasColumnName("determination");
        builder.Property(w => w.EmpathicPain).HasColumnName("empathic_pain");
        builder.Property(w => w.Excitement).HasColumnName("excitement");
        builder.Property(w => w.Joy).HasColumnName("joy");
        builder.Property(w => w.Valence).HasColumnName("valence");
        builder.Property(w => w.Arousal).HasColumnName("arousal");
        builder.Property(w => w.Dominance).HasColumnName("dominance");
        builder.Property(w => w.AudioEmi).HasColumnName("audio_emi");
        builder.Property(w => w.VisualEmi).HasColumnName("visual_emi");
        builder.Property(w => w.HasAudio).HasColumnName("has_audio");
        builder.Property(w => w.HasVideo).HasColumnName("has_video");
    }
}
