using EmiPlatform.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmiPlatform.Data.Configurations;

internal sealed class TenantConfiguration : IEntityTypeConfiguration<Tenant>
{
    public void Configure(EntityTypeBuilder<Tenant> builder)
    {
        builder.ToTable("tenants");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).HasColumnName("id");
        builder.Property(t => t.Name).HasColumnName("name").HasMaxLength(Limits.NameLength);
        builder.Property(t => t.Status).HasColumnName("status").HasConversion(new SnakeCaseEnumConverter<TenantStatus>());
        builder.Property(t => t.MaxStorageBytes).HasColumnName("max_storage_bytes");
        builder.Property(t => t.MaxRecordings).HasColumnName("max_recordings");
        builder.Property(t => t.MaxConcurrentJobs).HasColumnName("max_concurrent_jobs");
        builder.Property(t => t.UsedStorageBytes).HasColumnName("used_storage_bytes").ValueGeneratedOnAddOrUpdate();
        builder.Property(t => t.UsedRecordings).HasColumnName("used_recordings").ValueGeneratedOnAddOrUpdate();
        builder.Property(t => t.MaxFeatureCacheBytes).HasColumnName("max_feature_cache_bytes");
        builder.Property(t => t.UsedFeatureCacheBytes).HasColumnName("used_feature_cache_bytes").ValueGeneratedOnAddOrUpdate();
        builder.Property(t => t.CreatedAt).HasColumnName("created_at");
        builder.Property(t => t.UpdatedAt).HasColumnName("updated_at");
    }
}
