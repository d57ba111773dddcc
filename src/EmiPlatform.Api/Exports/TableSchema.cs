using System.Text.Json.Serialization;

namespace EmiPlatform.Api.Exports;

/// <summary>
/// A Frictionless Table Schema (https://specs.frictionlessdata.io/table-schema/) of one CSV export: its fields in
/// header order, the empty cell as the missing value, and the key that identifies a row.
/// </summary>
public sealed record TableSchema(IReadOnlyList<TableSchemaField> Fields, IReadOnlyList<string> MissingValues, IReadOnlyList<string> PrimaryKey)
{
    public static TableSchema Of(string format, IEnumerable<ExportColumn> columns) => new(
        [.. columns.Select(TableSchemaField.From)],
        [""],
        format == "long" ? ["recording_id", "window"] : ["recording_id"]);
}

/// <summary>One field of a <see cref="TableSchema"/>; <c>unit</c> is this API's addition (s, deg, inter-ocular distance).</summary>
public sealed record TableSchemaField(string Name, string Type, string Description)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Format { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Unit { get; init; }

    /// <summary>How the CSV writes booleans: TRUE and FALSE.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? TrueValues { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? FalseValues { get; init; }

    public required TableSchemaConstraints Constraints { get; init; }

    public static TableSchemaField From(ExportColumn column) => new(column.Name, column.Type, column.Description)
    {
        Format = column.Format,
        Unit = column.Unit,
        TrueValues = column.Type == "boolean" ? ["TRUE"] : null,
        FalseValues = column.Type == "boolean" ? ["FALSE"] : null,
        Constraints = new TableSchemaConstraints(column.Required) { Minimum = column.Minimum, Maximum = column.Maximum },
    };
}

/// <summary>A field's constraints: whether every row has a value, and the range its values lie in.</summary>
public sealed record TableSchemaConstraints(bool Required)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Minimum { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Maximum { get; init; }
}
