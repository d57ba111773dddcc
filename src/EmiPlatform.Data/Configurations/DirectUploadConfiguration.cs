using EmiPlatform.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmiPlatform.Data.Configurations;

internal sealed class DirectUploadConfiguration : IEntityTypeConfiguration<DirectUpload>
{
    public void Configure(EntityTypeBuilder<DirectUpload> builder)
    {
        builder.ToTable("direct_uploads");
        builder.HasKey(u => u.RecordingId);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(u => u.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Study>().WithMany().HasForeignKey(u => u.StudyId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Participant>().WithMany().HasForeignKey(u => u.ParticipantId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(u => u.RecordingId).HasColumnName("recording_id");
        builder.Property(u => u.TenantId).HasColumnName("tenant_id");
        builder.Property(u => u.StudyId).HasColumnName("study_id");
        builder.Property(u => u.ParticipantId).HasColumnName("participant_id");
        builder.Property(u => u.DeclaredBytes).HasColumnName("declared_bytes");
        builder.Property(u => u.ReservedBytes).HasColumnName("reserved_bytes");
        builder.Property(u => u.CreatedAt).HasColumnName("created_at");
        builder.Property(u => u.ExpiresAt).HasColumnName("expires_at");
    }
}
