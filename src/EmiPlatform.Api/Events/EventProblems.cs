using EmiPlatform.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace EmiPlatform.Api.Events;

/// <summary>The refusals of an events request; each means nothing was written.</summary>
public static class EventProblems
{
    /// <summary>422 <c>invalid-events</c>: the first <see cref="EventLimits.MaxListedErrors"/> offending rows in row order, and how many there were.</summary>
    public static ProblemHttpResult Invalid(List<EventRowError> errors)
    {
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Type = ProblemTypes.InvalidEvents,
            Title = "Invalid events",
            Detail = $"{errors.Count} row(s) are invalid; nothing was changed. 'rows' lists " +
                     (errors.Count > EventLimits.MaxListedErrors ? $"the first {EventLimits.MaxListedErrors}." : "them all."),
        };
        problem.Extensions["errorCount"] = errors.Count;
        problem.Extensions["rows"] = errors.OrderBy(e => e.Row).Take(EventLimits.MaxListedErrors)
            .Select(e => new Dictionary<string, object?> { ["row"] = e.Row, ["recording"] = e.Recording, ["message"] = e.Message }).ToList();
        return TypedResults.Problem(problem);
    }

    /// <summary>422 <c>invalid-events</c> for the file as a whole (no header, a missing column, not CSV).</summary>
    public static ProblemHttpResult Refused(string detail) =>
        Problem.Create(StatusCodes.Status422UnprocessableEntity, ProblemTypes.InvalidEvents, "Invalid events", detail + " Nothing was changed.");

    /// <summary>413 <c>payload-too-large</c>: over the row or byte bound.</summary>
    public static ProblemHttpResult TooLarge(string detail) =>
        Problem.Create(StatusCodes.Status413PayloadTooLarge, ProblemTypes.PayloadTooLarge, "Too many events", detail + " Nothing was changed.");
}
