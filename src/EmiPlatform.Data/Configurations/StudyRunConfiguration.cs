using EmiPlatform.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmiPlatform.Data.Configurations;

internal sealed class StudyRunConfiguration : IEntityTypeConfiguration<StudyRun>
{
    public void Configure(EntityTypeBuilder<StudyRun> builder)
    {
        builder.ToTable("study_runs");
        builder.HasKey(r => r.Id);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Study>().WithMany().HasForeignKey(r => r.StudyId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => r.StudyId).IsUnique().HasFilter("completed_at IS NULL");
        builder.Property(r => r.Id).HasColumnName("id");
        builder.Property(r => r.TenantId).HasColumnName("tenant_id");
        builder.Property(r => r.StudyId).HasColumnName("study_id");
        builder.Property(r => r.StartedAt).HasColumnName("started_at");
        builder.Property(r => r.CompletedAt).HasColumnName("completed_at");
    }
}
