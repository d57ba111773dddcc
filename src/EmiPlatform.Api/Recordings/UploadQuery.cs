using System.ComponentModel.DataAnnotations;
using EmiPlatform.Api.Validation;
using EmiPlatform.Data;
using Microsoft.AspNetCore.Mvc;

namespace EmiPlatform.Api.Recordings;

/// <summary>
/// What a streamed upload says about its file in the query, so the body is only the file's bytes. <see cref="FileName"/>
/// is sanitised (<see cref="FileNames"/>), not refused: it is a label, and clients send whatever their file system had.
/// Init properties for the reason given on <see cref="Paging.PageQuery"/>.
/// </summary>
public sealed record UploadQuery
{
    [FromQuery(Name = "stimulus"), StringLength(Limits.NameLength), NoControlCharacters]
    public string? Stimulus { get; init; }

    [FromQuery(Name = "trial"), StringLength(Limits.NameLength), NoControlCharacters]
    public string? Trial { get; init; }

    [FromQuery(Name = "fileName")]
    public string? FileName { get; init; }
}
