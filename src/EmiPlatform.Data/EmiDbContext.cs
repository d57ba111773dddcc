using EmiPlatform.Data.Entities;
using EmiPlatform.Data.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace EmiPlatform.Data;

/// <summary>
/// The platform's tables. Registered twice: as itself on the row-level-security role (tenant requests) and as
/// <see cref="AdminDbContext"/> on the admin role, so which role a query runs as is visible in its handler's signature.
/// Given a <see cref="ITenantScope"/>, every query of a tenant-owned entity is filtered to the scope's tenant (none at all
/// when the scope has no tenant), so handlers never write the filter themselves; row-level security stays underneath for
/// whatever does not go through EF (raw SQL, COPY). Without a scope (the admin context, the grains' own tenant
/// transactions, tests) nothing is filtered here.
/// </summary>
public class EmiDbContext : DbContext
{
    private readonly ITenantScope? scope;

    public EmiDbContext(DbContextOptions<EmiDbContext> options) : base(options) { }

    public EmiDbContext(DbContextOptions<EmiDbContext> options, ITenantScope scope) : base(options) => this.scope = scope;

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
    public DbSet<DirectUpload> DirectUploads => Set<DirectUpload>();

    // Read by the query filters on each query (EF parameterises context members), not baked into the cached model.
    private bool Scoped => scope is not null;
    private Guid? ScopeTenantId => scope?.TenantId;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(EmiDbContext).Assembly);
        modelBuilder.Entity<Tenant>().HasQueryFilter(t => !Scoped || t.Id == ScopeTenantId);
        FilterByTenant<ApiKey>(modelBuilder);
        FilterByTenant<Study>(modelBuilder);
        FilterByTenant<Participant>(modelBuilder);
        FilterByTenant<Recording>(modelBuilder);
        FilterByTenant<ScoringJob>(modelBuilder);
        FilterByTenant<Webhook>(modelBuilder);
        FilterByTenant<WebhookDelivery>(modelBuilder);
        FilterByTenant<StudyRun>(modelBuilder);
        FilterByTenant<DirectUpload>(modelBuilder);
        // A tenant sees the platform's bundles (no owner) and its own, as row-level security does.
        modelBuilder.Entity<RegisteredBundle>().HasQueryFilter(b => !Scoped || b.TenantId == null || b.TenantId == ScopeTenantId);
    }

    private void FilterByTenant<T>(ModelBuilder modelBuilder) where T : class, ITenantOwned =>
        modelBuilder.Entity<T>().HasQueryFilter(e => !Scoped || e.TenantId == ScopeTenantId);
}
