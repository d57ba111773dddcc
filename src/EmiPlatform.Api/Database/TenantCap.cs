using Microsoft.EntityFrameworkCore;

namespace EmiPlatform.Api.Database;

/// <summary>
/// Adds a row only while a tenant holds fewer than a cap of its kind. A count followed by an insert lets every one of
/// N concurrent creates see room; holding a per-tenant advisory lock for the transaction makes them queue, so the cap
/// holds under any concurrency.
/// </summary>
public static class TenantCap
{
    public static async Task<bool> TryAddAsync<TRow>(DbContext db, string kind, Guid tenantId, IQueryable<TRow> counted, int cap, Action add, CancellationToken ct) =>
        await TryAddAsync(db, kind, tenantId, counted, cap, _ => Task.FromResult(true), add, ct) == TenantCapOutcome.Added;

    /// <summary>
    /// As above, and <paramref name="admits"/> has the last word while the lock is held: what it reads of the rows
    /// already added (committed before the lock was granted) cannot change until this one is added or declined.
    /// </summary>
    public static Task<TenantCapOutcome> TryAddAsync<TRow>(
        DbContext db, string kind, Guid tenantId, IQueryable<TRow> counted, int cap, Func<CancellationToken, Task<bool>> admits, Action add, CancellationToken ct) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async token =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            var lockName = $"{kind}:{tenantId}";
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtext({lockName}))", token);
            if (await counted.CountAsync(token) >= cap)
            {
                return TenantCapOutcome.AtCap;
            }
            if (!await admits(token))
            {
                return TenantCapOutcome.Declined;
            }
            add();
            await db.SaveChangesAsync(token);
            await transaction.CommitAsync(token);
            return TenantCapOutcome.Added;
        }, ct);
}
