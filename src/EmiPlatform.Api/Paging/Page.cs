namespace EmiPlatform.Api.Paging;

public sealed record Page<T>(IReadOnlyList<T> Items, int PageNumber, int PageSize, long Total);
