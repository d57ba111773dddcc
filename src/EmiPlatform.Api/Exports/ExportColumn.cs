namespace EmiPlatform.Api.Exports;

/// <summary>
/// One column of a CSV export as its Table Schema field describes it (docs/results.md): the name in the header, the
/// Frictionless type (<c>string</c>, <c>integer</c>, <c>number</c>, <c>boolean</c>), and what a reader needs to take it
/// right: a format (<c>uuid</c>), a unit, and the range a value lies in.
/// </summary>
public sealed record ExportColumn(string Name, string Type, string Description)
{
    public string? Format { get; init; }

    public string? Unit { get; init; }

    public double? Minimum { get; init; }

    public double? Maximum { get; init; }

    /// <summary>Whether every row has a value (an empty cell is null otherwise).</summary>
    public bool Required { get; init; }

    public static ExportColumn Text(string name, string description, bool required = false) => new(name, "string", description) { Required = required };

    public static ExportColumn Id(string name, string description) => new(name, "string", description) { Format = "uuid", Required = true };

    public static ExportColumn Flag(string name, string description) => new(name, "boolean", description) { Required = true };

    public static ExportColumn Fraction(string name, string description) => new(name, "number", description) { Minimum = 0, Maximum = 1 };
}
