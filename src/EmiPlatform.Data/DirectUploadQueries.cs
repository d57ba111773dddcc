using EmiPlatform.Data.Entities;

namespace EmiPlatform.Data;

public static class DirectUploadQueries
{
    /// <summary>
    /// The uploads still open: their SAS has not expired by the database's clock (EF sends <c>now()</c>), the one clock
    /// every reader of the table uses, the tenant grain's SQL included.
    /// </summary>
    public static IQueryable<DirectUpload> Open(this IQueryable<DirectUpload> uploads) =>
        uploads.Where(u => u.ExpiresAt > DateTimeOffset.UtcNow);
}
