using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;

namespace EmiPlatform.Api.Paging;

/// <summary>
/// ?page=1&amp;pageSize=50 on list endpoints. Init properties rather than a positional record: the OpenAPI generator
/// fails on validation attributes that sit on the constructor parameters of an [AsParameters] type (dotnet/aspnetcore#65348).
/// </summary>
public sealed record PageQuery
{
    public const int MaxPageSize = 200;
    public const int DefaultPageSize = 50;

    // Named as the docs write them; the document would otherwise say Page and PageSize.
    [FromQuery(Name = "page"), Range(1, int.MaxValue, ErrorMessage = "must be 1 or more")]
    public int? Page { get; init; }

    [FromQuery(Name = "pageSize"), Range(1, MaxPageSize, ErrorMessage = "must be between {1} and {2}")]
    public int? PageSize { get; init; }

    public int Number => Page ?? 1;
    public int Size => PageSize ?? DefaultPageSize;
    /// <summary>
    /// Rows before this page, computed in 64 bits: page 2147483647 of 200 is 429 billion rows on, which no list holds, so
    /// it is an empty page (200) rather than an int overflow into a negative OFFSET (500).
    /// </summary>
    public int Skip => (int)Math.Min((long)(Number - 1) * Size, int.MaxValue);
}
