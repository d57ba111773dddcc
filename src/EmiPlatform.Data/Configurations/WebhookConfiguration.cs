using EmiPlatform.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmiPlatform.Data.Configurations;

internal sealed class WebhookConfiguration : IEntityTypeConfiguration<Webhook>
{
    public void Configure(EntityTypeBuilder<Webhook> builder)
    {
        builder.ToTable("webhooks");
        builder.HasKey(w => w.Id);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(w => w.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(w => w.Id).HasColumnName("id");
        builder.Property(w => w.TenantId).HasColumnName("tenant_id");
        builder.Property(w => w.Url).HasColumnName("url").HasMaxLength(Limits.WebhookUrlLength);
        builder.Property(w => w.Description).HasColumnName("description").HasMaxLength(Limits.NameLength);
        builder.Property(w => w.Secret).HasColumnName("secret").HasMaxLength(100);
        builder.Property(w => w.PreviousSecret).HasColumnName("previous_secret").HasMaxLength(100);
        builder.Property(w => w.PreviousSecretExpiresAt).HasColumnName("previous_secret_expires_at");
        builder.Property(w => w.SecretRotatedAt).HasColumnName("secret_rotated_at");
        builder.Property(w => w.CreatedAt).HasColumnName("created_at");
    }
}
