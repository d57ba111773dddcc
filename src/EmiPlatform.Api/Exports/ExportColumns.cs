using EmiPlatform.Results;

namespace EmiPlatform.Api.Exports;

/// <summary>
/// The columns of the three CSV layouts, in order, with their types: the one definition the CSV writer's header and
/// the Table Schema (<c>GET /v1/studies/{id}/export/schema</c>) are both built from. The writer writes the cells in
/// this order (tests/EmiPlatform.Api.Tests/ExportSchemaTests.cs holds the header to the schema); the score columns
/// come from <see cref="ScoreColumns"/>. Columns are only ever appended (docs/results.md).
/// </summary>
public static class ExportColumns
{
    /// <summary>The eight columns that name a recording as the lab knows it, first in every layout.</summary>
    public static readonly IReadOnlyList<ExportColumn> Recording =
    [
        ExportColumn.Text("study", "study name", required: true),
        ExportColumn.Id("study_id", "the study's id"),
        ExportColumn.Text("participant", "the lab's participant code", required: true),
        ExportColumn.Id("participant_id", "the participant's id"),
        ExportColumn.Text("recording", "the recording's original file name", required: true),
        ExportColumn.Id("recording_id", "the recording's id"),
        ExportColumn.Text("stimulus", "the stimulus the participant mimicked"),
        ExportColumn.Text("trial", "trial / session label: text, so 007 stays 007"),
    ];

    /// <summary>The result's feature provenance (<see cref="FeatureColumns"/>): the same on every row of a recording.</summary>
    private static readonly IReadOnlyList<ExportColumn> Features =
    [
        .. FeatureColumns.Names.Select((name, i) => FeatureColumns.IsHash(i)
            ? ExportColumn.Text(name, "SHA-256 of the backbone that made this branch's features; empty when the branch did not score")
            : ExportColumn.Flag(name, "TRUE when this branch's features came from the feature cache (a heads-only score); empty when the branch did not score") with { Required = false }),
    ];

    private static readonly IReadOnlyList<ExportColumn> Model =
    [
        ExportColumn.Text("model_name", "bundle that produced the row", required: true),
        ExportColumn.Text("model_version", "the bundle's version", required: true),
        ExportColumn.Flag("model_trained", "FALSE for an untrained bundle such as the reference one: its scores mean nothing"),
    ];

    public static readonly IReadOnlyList<ExportColumn> Long =
    [
        .. Recording, .. Model,
        new("window", "integer", "window index within the recording, from 0") { Minimum = 0, Required = true },
        new("start_s", "number", "window start from the recording's start") { Unit = "s", Minimum = 0, Required = true },
        new("end_s", "number", "window end from the recording's start") { Unit = "s", Minimum = 0, Required = true },
        .. ScoreColumns.All.Select(c => Score(c, "the window's")),
        new("event", "integer", "position of the window's event in its recording, from 0; empty outside events") { Minimum = 0 },
        ExportColumn.Text("event_kind", "the event's kind: stimulus, baseline or the lab's own word"),
        ExportColumn.Text("event_stimulus", "the event's stimulus label"),
        ExportColumn.Text("event_trial", "the event's trial label: text, so 007 stays 007"),
        ExportColumn.Text("event_condition", "the event's condition label"),
        new("t_rel_s", "number", "the window's centre minus its event's onset; empty outside events") { Unit = "s" },
        .. Features,
    ];

    public static readonly IReadOnlyList<ExportColumn> Aggregate =
    [
        .. Recording, .. Model,
        new("duration_s", "number", "scored duration") { Unit = "s", Minimum = 0, Required = true },
        new("window_count", "integer", "number of windows") { Minimum = 0, Required = true },
        .. ScoreColumns.All.Select(c => Score(c, "mean over the recording's windows of the")),
        .. Features,
    ];

    /// <summary>Per-event results (docs/results.md, "Per-event results"); the names follow <see cref="EventColumns.Result"/>.</summary>
    public static readonly IReadOnlyList<ExportColumn> Events =
    [
        .. Recording, .. Model,
        new("event", "integer", "the event's position in its recording, from 0") { Minimum = 0, Required = true },
        ExportColumn.Text("event_kind", "stimulus, baseline or the lab's own word", required: true),
        ExportColumn.Text("event_stimulus", "the event's stimulus label"),
        ExportColumn.Text("event_trial", "the event's trial label: text, so 007 stays 007"),
        ExportColumn.Text("event_condition", "the event's condition label"),
        new("onset_s", "number", "the event's onset from the recording's start") { Unit = "s", Minimum = 0, Required = true },
        new("offset_s", "number", "the event's offset from the recording's start") { Unit = "s", Minimum = 0, Required = true },
        new("baseline_event", "integer", "the baseline event the corrected means subtract; empty without one") { Minimum = 0 },
        new("window_count", "integer", "windows whose centre lies in the event") { Minimum = 0, Required = true },
        ExportColumn.Fraction("face_coverage", "mean face coverage of the event's windows"),
        ExportColumn.Fraction("speech_coverage", "mean speech coverage of the event's windows"),
        .. EventColumns.Measures.SelectMany(m => new ExportColumn[]
        {
            new(m.Name + "_mean", "number", $"mean of {m.Name} over the event's windows"),
            new(m.Name + "_peak", "number", $"largest {m.Name} of the event's windows"),
            new(m.Name + "_ttp_s", "number", $"time from the onset to the centre of the window with the peak {m.Name}") { Unit = "s" },
            new(m.Name + "_mean_bc", "number", $"the event's mean {m.Name} minus its baseline event's; empty without a baseline"),
        }),
    ];

    public static readonly IReadOnlyList<ExportColumn> Recordings =
    [
        .. Recording,
        ExportColumn.Text("status", "scored, failed, cancelled, queued, running or not-scored", required: true),
        ExportColumn.Text("error", "the latest job's error when status is not scored"),
        ExportColumn.Text("model_name", "the bundle of the result, else of the latest job"),
        ExportColumn.Text("model_version", "that bundle's version"),
        new("window_count", "integer", "windows in the result; 0 when not scored") { Minimum = 0, Required = true },
    ];

    /// <summary>The layout named by the export's <c>format</c> (long, aggregate, recordings).</summary>
    public static IReadOnlyList<ExportColumn> Of(string format) => format switch
    {
        "long" => Long,
        "aggregate" => Aggregate,
        "recordings" => Recordings,
        "events" => Events,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "not an export format"),
    };

    public static string[] Names(IEnumerable<ExportColumn> columns) => [.. columns.Select(c => c.Name)];

    private static ExportColumn Score(ScoreColumn column, string of) => column.Source switch
    {
        ScoreSource.Emotion => ExportColumn.Fraction(column.Name,
            $"{of} fused EMI intensity: the model's sigmoid output in [0, 1] (an untrained bundle's mean nothing)") with { Required = true },
        ScoreSource.Vad => ExportColumn.Fraction(column.Name, $"{of} audio branch's {column.Name} (VAD head, sigmoid output in [0, 1]); empty without audio"),
        ScoreSource.HasAudio => ExportColumn.Flag(column.Name, "the audio branch predicted (in some window, for an aggregate)"),
        ScoreSource.HasVideo => ExportColumn.Flag(column.Name, "the visual branch predicted (in some window, for an aggregate)"),
        ScoreSource.FaceCoverage => ExportColumn.Fraction(column.Name, "fraction of the sampled frames with the tracked face; empty without a face stage or video"),
        ScoreSource.SpeechCoverage => ExportColumn.Fraction(column.Name, "fraction of the 32 ms audio steps taken for speech; empty without a speech stage or audio"),
        ScoreSource.FaceConfidence => ExportColumn.Fraction(column.Name, "face detector score × FaceMesh face flag; empty where no face was perceived"),
        ScoreSource.Descriptor when column.Name.EndsWith("_deg", StringComparison.Ordinal) =>
            new ExportColumn(column.Name, "number", "head pose from FaceMesh's landmarks; empty where no face was perceived") { Unit = "deg", Minimum = -180, Maximum = 180 },
        ScoreSource.Descriptor => new ExportColumn(column.Name, "number",
            "geometric descriptor from FaceMesh's landmarks (not a FACS-coded AU intensity); empty where no face was perceived") { Unit = "inter-ocular distance" },
        ScoreSource.Expression => ExportColumn.Fraction(column.Name, "expression classifier probability (FER-2013); empty where no face was perceived"),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Source, "a score source without an export type"),
    };
}
