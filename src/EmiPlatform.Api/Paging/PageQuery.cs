namespace EmiPlatform.Api.Paging;

/// <summary>?page=1&amp;pageSize=50 on list endpoints.</summary>
public sealed record PageQuery(int? Page, int? PageSize)
{
    public const int MaxPageSize = 200;
    public const int DefaultPageSize = 50;

    public int Number => Page ?? 1;
    public int Size => PageSize ?? DefaultPageSize;
    public int Skip => (Number - 1) * Size;

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (Number < 1)
        {
            errors["page"] = ["must be 1 or more"];
        }
        if (Size is < 1 or > MaxPageSize)
        {
            errors["pageSize"] = [$"must be between 1 and {MaxPageSize}"];
        }
        return errors;
    }
}
