using EmiPlatform.Abstractions.Jobs;
using EmiPlatform.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmiPlatform.Data.Configurations;

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.ToTable("webhook_deliveries");
        builder.HasKey(d => d.Id);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(d => d.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Webhook>().WithMany().HasForeignKey(d => d.WebhookId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<ScoringJob>().WithMany().HasForeignKey(d => d.JobId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<StudyRun>().WithMany().HasForeignKey(d => d.RunId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(d => new { d.WebhookId, d.JobId, d.JobState }).IsUnique();
        builder.HasIndex(d => new { d.WebhookId, d.RunId }).IsUnique().HasFilter("run_id IS NOT NULL");
        builder.Property(d => d.Id).HasColumnName("id");
        builder.Property(d => d.TenantId).HasColumnName("tenant_id");
        builder.Property(d => d.WebhookId).HasColumnName("webhook_id");
        builder.Property(d => d.EventId).HasColumnName("event_id");
        builder.Property(d => d.EventType).HasColumnName("event_type").HasColumnType("text");
        builder.Property(d => d.JobId).HasColumnName("job_id");
        builder.Property(d => d.RunId).HasColumnName("run_id");
        builder.Property(d => d.JobState).HasColumnName("job_state").HasColumnType("text");
        builder.Property(d => d.Payload).HasColumnName("payload").HasColumnType("text");
        builder.Property(d => d.Status).HasColumnName("status").HasColumnType("text").HasConversion(new SnakeCaseEnumConverter<WebhookDeliveryStatus>());
        builder.Property(d => d.Attempts).HasColumnName("attempts");
        builder.Property(d => d.NextAttemptAt).HasColumnName("next_attempt_at");
        builder.Property(d => d.LastAttemptAt).HasColumnName("last_attempt_at");
        builder.Property(d => d.LastStatusCode).HasColumnName("last_status_code");
        builder.Property(d => d.LastError).HasColumnName("last_error");
        builder.Property(d => d.CreatedAt).HasColumnName("created_at");
        builder.Property(d => d.DeliveredAt).HasColumnName("delivered_at");
    }
}
