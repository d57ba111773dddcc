using System.ComponentModel.DataAnnotations;
using EmiPlatform.Api.Validation;
using EmiPlatform.Data;
using Microsoft.AspNetCore.Mvc;

namespace EmiPlatform.Api.Recordings;

/// <summary>
/// What the client says about a recording; the bytes say the rest (ffprobe). A streamed upload sends it in the query and
/// the Content-Type header, so its body is only the file. <see cref="FileName"/> is sanitised (<see cref="FileNames"/>),
/// not refused: it is a label, and clients send whatever their file system had.
/// </summary>
public sealed record RecordingMetadata(
    [property: FromQuery(Name = "stimulus")][StringLength(Limits.NameLength), NoControlCharacters] string? Stimulus,
    [property: FromQuery(Name = "trial")][StringLength(Limits.NameLength), NoControlCharacters] string? Trial,
    [property: FromQuery(Name = "fileName")] string? FileName,
    [property: FromHeader(Name = "Content-Type")][StringLength(Limits.NameLength), NoControlCharacters] string? ContentType);
