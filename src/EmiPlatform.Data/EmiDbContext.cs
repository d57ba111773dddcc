using EmiPlatform.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace EmiPlatform.Data;

/// <summary>
/// The platform's tables. Registered twice: as itself on the row-level-security role (tenant requests) and as
/// <see cref="AdminDbContext"/> on the admin role, so which role a query runs as is visible in its handler's signature.
/// </summary>
public class EmiDbContext : DbContext
{
    public EmiDbContext(DbContextOptions<EmiDbContext> options) : base(options) { }

    protected EmiDbContext(DbContextOptions options) : base(options) { }

    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<Study> Studies => Set<Study>();
    public DbSet<Participant> Participants => Set<Participant>();
    public DbSet<Recording> Recordings => Set<Recording>();
    public DbSet<RegisteredBundle> ModelBundles => Set<RegisteredBundle>();
    public DbSet<ScoringJob> ScoringJobs => Set<ScoringJob>();
    public DbSet<Webhook> Webhooks => Set<Webhook>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<StudyRun> StudyRuns => Set<StudyRun>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(EmiDbContext).Assembly);
}
