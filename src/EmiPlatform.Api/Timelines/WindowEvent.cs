using EmiPlatform.Results;
using Npgsql;

namespace EmiPlatform.Api.Timelines;

/// <summary>
/// The event a window belongs to (the one whose [onset, offset) holds the window's centre), with the centre's time from
/// the event's onset: the values of <see cref="EventColumns.Window"/>, all null outside events.
/// </summary>
public readonly record struct WindowEvent(int? Index, string? Kind, string? Stimulus, string? Trial, string? Condition, double? TRelS)
{
    /// <summary>Reads the event columns of a <see cref="ResultQueries.WindowsAsync"/> row, after its scores (sequential access).</summary>
    public static WindowEvent Read(NpgsqlDataReader reader)
    {
        var at = ResultQueries.WindowEventAt;
        return new WindowEvent(
            reader.IsDBNull(at) ? null : reader.GetInt32(at),
            reader.IsDBNull(at + 1) ? null : reader.GetString(at + 1),
            reader.IsDBNull(at + 2) ? null : reader.GetString(at + 2),
            reader.IsDBNull(at + 3) ? null : reader.GetString(at + 3),
            reader.IsDBNull(at + 4) ? null : reader.GetString(at + 4),
            reader.IsDBNull(at + 5) ? null : reader.GetDouble(at + 5));
    }
}
