namespace EmiPlatform.Api.Storage;

/// <summary>What the storage sweep found: blobs no row points at, rows whose blob is gone.</summary>
public sealed record SweepReportDto(IReadOnlyList<string> OrphanBlobs, IReadOnlyList<Guid> RowsWithoutBlob, bool Removed);
