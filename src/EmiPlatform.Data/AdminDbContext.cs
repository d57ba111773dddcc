using Microsoft.EntityFrameworkCore;

namespace EmiPlatform.Data;

/// <summary>The same tables on the admin role, which bypasses row-level security: platform-admin endpoints and API-key lookup only.</summary>
public sealed class AdminDbContext(DbContextOptions<AdminDbContext> options) : EmiDbContext(options);
