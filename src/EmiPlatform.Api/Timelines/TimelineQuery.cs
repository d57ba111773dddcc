using Microsoft.AspNetCore.Mvc;

namespace EmiPlatform.Api.Timelines;

/// <summary>The timeline endpoints' query as sent; <see cref="TimelineFilter.Parse"/> turns it into a filter or field errors.</summary>
public sealed record TimelineQuery(
    [FromQuery(Name = "emotions")] string? Emotions,
    [FromQuery(Name = "from_s")] string? FromS,
    [FromQuery(Name = "to_s")] string? ToS,
    [FromQuery(Name = "model")] string? Model);
