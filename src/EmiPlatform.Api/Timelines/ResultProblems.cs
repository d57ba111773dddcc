using EmiPlatform.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EmiPlatform.Api.Timelines;

/// <summary>Problems of the results endpoints (types listed in docs/results.md).</summary>
public static class ResultProblems
{
    /// <summary>The recording exists but has no results (from the requested model): its timeline does not exist yet.</summary>
    public const string NotScored = "urn:emi-platform:problem:not-scored";

    public static ProblemHttpResult RecordingNotScored(ModelRef? model) =>
        Problem.Create(StatusCodes.Status404NotFound, NotScored, "Not scored",
            model is null
                ? "The recording has no results yet; see its scoring job."
                : $"The recording has no results from model {model}.");

    /// <summary>An unregistered bundle is a missing resource, like any other id in a URL: 404.</summary>
    public static ProblemHttpResult UnknownModel(ModelRef model) =>
        Problem.Create(StatusCodes.Status404NotFound, ProblemTypes.NotFound, "Not found", $"No model bundle {model} is registered.");
}
