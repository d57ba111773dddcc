using EmiPlatform.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmiPlatform.Data.Configurations;

internal sealed class RecordingConfiguration : IEntityTypeConfiguration<Recording>
{
    public void Configure(EntityTypeBuilder<Recording> builder)
    {
        builder.ToTable("recordings");
        builder.HasKey(r => r.Id);
        builder.HasIndex(r => new { r.ParticipantId, r.Sha256 }).IsUnique();
        builder.HasIndex(r => r.BlobName).IsUnique();
        builder.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Study>().WithMany().HasForeignKey(r => r.StudyId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Participant>().WithMany().HasForeignKey(r => r.ParticipantId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(r => r.Id).HasColumnName("id");
        builder.Property(r => r.TenantId).HasColumnName("tenant_id");
        builder.Property(r => r.StudyId).HasColumnName("study_id");
        builder.Property(r => r.ParticipantId).HasColumnName("participant_id");
        builder.Property(r => r.Stimulus).HasColumnName("stimulus").HasMaxLength(Limits.NameLength);
        builder.Property(r => r.Trial).HasColumnName("trial").HasMaxLength(Limits.NameLength);
        builder.Property(r => r.OriginalFileName).HasColumnName("original_file_name").HasMaxLength(Limits.FileNameLength);
        builder.Property(r => r.ContentType).HasColumnName("content_type").HasMaxLength(Limits.NameLength);
        builder.Property(r => r.SizeBytes).HasColumnName("size_bytes");
        builder.Property(r => r.Sha256).HasColumnName("sha256").HasColumnType("character(64)");
        builder.Property(r => r.BlobName).HasColumnName("blob_name").HasMaxLength(400);
        builder.Property(r => r.DurationSeconds).HasColumnName("duration_seconds");
        builder.Property(r => r.FormatName).HasColumnName("format_name").HasMaxLength(Limits.NameLength);
        builder.Property(r => r.AudioCodec).HasColumnName("audio_codec").HasMaxLength(100);
        builder.Property(r => r.SampleRate).HasColumnName("sample_rate");
        builder.Property(r => r.AudioChannels).HasColumnName("audio_channels");
        builder.Property(r => r.VideoCodec).HasColumnName("video_codec").HasMaxLength(100);
        builder.Property(r => r.Width).HasColumnName("width");
        builder.Property(r => r.Height).HasColumnName("height");
        builder.Property(r => r.FrameRate).HasColumnName("frame_rate");
        builder.Property(r => r.Rotation).HasColumnName("rotation");
        builder.Property(r => r.Media).HasColumnName("media").HasColumnType("jsonb");
        builder.Property(r => r.CreatedAt).HasColumnName("created_at");
    }
}
