using System.ComponentModel.DataAnnotations;

namespace EmiPlatform.Api.Paging;

/// <summary>?page=1&amp;pageSize=50 on list endpoints.</summary>
public sealed record PageQuery(
    [Range(1, int.MaxValue, ErrorMessage = "must be 1 or more")] int? Page,
    [Range(1, PageQuery.MaxPageSize, ErrorMessage = "must be between {1} and {2}")] int? PageSize)
{
    public const int MaxPageSize = 200;
    public const int DefaultPageSize = 50;

    public int Number => Page ?? 1;
    public int Size => PageSize ?? DefaultPageSize;
    public int Skip => (Number - 1) * Size;
}
