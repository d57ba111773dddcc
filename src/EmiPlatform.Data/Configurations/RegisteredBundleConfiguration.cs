using EmiPlatform.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmiPlatform.Data.Configurations;

internal sealed class RegisteredBundleConfiguration : IEntityTypeConfiguration<RegisteredBundle>
{
    public void Configure(EntityTypeBuilder<RegisteredBundle> builder)
    {
        builder.ToTable("model_bundles");
        builder.HasKey(b => b.Id);
        builder.Property(b => b.Id).HasColumnName("id");
        builder.Property(b => b.Name).HasColumnName("name").HasMaxLength(200);
        builder.Property(b => b.Version).HasColumnName("version").HasMaxLength(100);
        builder.Property(b => b.Trained).HasColumnName("trained");
        builder.Property(b => b.Location).HasColumnName("location").HasMaxLength(1000);
        builder.Property(b => b.Manifest).HasColumnName("manifest").HasColumnType("jsonb");
        builder.Property(b => b.RegisteredAt).HasColumnName("registered_at");
        builder.Property(b => b.TenantId).HasColumnName("tenant_id");
    }
}
