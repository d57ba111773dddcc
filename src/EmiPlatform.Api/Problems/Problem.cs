using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace EmiPlatform.Api.Problems;

/// <summary>Problem results endpoints return; one place decides their status, type and title.</summary>
public static class Problem
{
    public static ProblemHttpResult NotFound(string what) =>
        Create(StatusCodes.Status404NotFound, ProblemTypes.NotFound, "Not found", $"No {what} with that id exists.");

    public static ProblemHttpResult Conflict(string detail) =>
        Create(StatusCodes.Status409Conflict, ProblemTypes.Conflict, "Conflict", detail);

    public static ProblemHttpResult Create(int status, string type, string title, string detail) =>
        TypedResults.Problem(new ProblemDetails { Status = status, Type = type, Title = title, Detail = detail });

    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Type = ProblemTypes.Validation,
            Title = "Validation failed",
            Detail = "One or more fields are invalid; see 'errors'.",
        });
}
