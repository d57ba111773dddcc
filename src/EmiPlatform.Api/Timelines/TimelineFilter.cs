using System.Globalization;
using EmiPlatform.Results;

namespace EmiPlatform.Api.Timelines;

/// <summary>
/// The query of the timeline endpoints: <c>emotions</c>, <c>from_s</c>, <c>to_s</c>, <c>model</c>. Parsed here rather than
/// by attributes: the same pass that checks the text produces the score indices and the bundle reference.
/// </summary>
public sealed record TimelineFilter(int[] Scores, double? FromS, double? ToS, ModelRef? Model)
{
    public static TimelineFilter Parse(string? emotions, string? fromS, string? toS, string? model, IDictionary<string, string[]> errors)
    {
        if (!ScoreColumns.TryParse(emotions, out var scores, out var unknown))
        {
            errors["emotions"] = [$"unknown name '{unknown}'; use a comma-separated list of {string.Join(", ", ScoreColumns.Selectable)}"];
        }
        var from = Seconds("from_s", fromS, errors);
        var to = Seconds("to_s", toS, errors);
        if (from is not null && to is not null && to <= from)
        {
            errors["to_s"] = ["must be greater than from_s"];
        }
        return new TimelineFilter(scores, from, to, ParseModel(model, errors));
    }

    public static ModelRef? ParseModel(string? model, IDictionary<string, string[]> errors)
    {
        if (!ModelRef.TryParse(model, out var parsed))
        {
            errors["model"] = ["must be a bundle's name@version, e.g. reference-tiny@0.1.0"];
        }
        return parsed;
    }

    private static double? Seconds(string field, string? text, IDictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return null;
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value < 0)
        {
            errors[field] = ["must be a number of seconds, 0 or more"];
            return null;
        }
        return value;
    }
}
