using EmiPlatform.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmiPlatform.Data.Configurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys");
        builder.HasKey(k => k.Id);
        builder.HasIndex(k => k.PublicId).IsUnique();
        builder.HasOne<Tenant>().WithMany().HasForeignKey(k => k.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(k => k.Id).HasColumnName("id");
        builder.Property(k => k.TenantId).HasColumnName("tenant_id");
        builder.Property(k => k.PublicId).HasColumnName("public_id").HasMaxLength(32);
        builder.Property(k => k.SecretHash).HasColumnName("secret_hash");
        builder.Property(k => k.Name).HasColumnName("name").HasMaxLength(Limits.NameLength);
        builder.Property(k => k.Role).HasColumnName("role").HasConversion(new SnakeCaseEnumConverter<ApiKeyRole>());
        builder.Property(k => k.CreatedAt).HasColumnName("created_at");
        builder.Property(k => k.RevokedAt).HasColumnName("revoked_at");
        builder.Property(k => k.LastUsedAt).HasColumnName("last_used_at");
    }
}
