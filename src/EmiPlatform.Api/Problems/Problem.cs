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
        TypedResults.Problem(Describe(new HttpValidationProblemDetails(errors)));

    /// <summary>Status, type, title and detail of every 422 validation problem, whoever found the invalid fields.</summary>
    public static HttpValidationProblemDetails Describe(HttpValidationProblemDetails problem)
    {
        problem.Status = StatusCodes.Status422UnprocessableEntity;
        problem.Type = ProblemTypes.Validation;
        problem.Title = "Validation failed";
        problem.Detail = "One or more fields are invalid; see 'errors'.";
        return problem;
    }
}
