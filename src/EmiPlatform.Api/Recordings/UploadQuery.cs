using System.ComponentModel.DataAnnotations;
using EmiPlatform.Api.Validation;
using EmiPlatform.Data;
using Microsoft.AspNetCore.Mvc;

namespace EmiPlatform.Api.Recordings;

/// <summary>
/// What a streamed upload says about its file in the query, so the body is only the file's bytes. <see cref="FileName"/>
/// is sanitised (<see cref="FileNames"/>), not refused: it is a label, and clients send whatever their file system had.
/// </summary>
public sealed record UploadQuery(
    [FromQuery(Name = "stimulus"), StringLength(Limits.NameLength), NoControlCharacters] string? Stimulus,
    [FromQuery(Name = "trial"), StringLength(Limits.NameLength), NoControlCharacters] string? Trial,
    [FromQuery(Name = "fileName")] string? FileName);
