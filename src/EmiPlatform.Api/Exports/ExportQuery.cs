using Microsoft.AspNetCore.Mvc;

namespace EmiPlatform.Api.Exports;

/// <summary>The export's query as sent: <c>format</c>, <c>model</c>, <c>formulas</c> (docs/results.md).</summary>
public sealed record ExportQuery(
    [FromQuery(Name = "format")] string? Format,
    [FromQuery(Name = "model")] string? Model,
    [FromQuery(Name = "formulas")] string? Formulas);
