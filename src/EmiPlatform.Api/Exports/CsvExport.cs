using System.IO.Pipelines;
using EmiPlatform.Api.Events;
using EmiPlatform.Api.Timelines;
using EmiPlatform.Csv;
using EmiPlatform.Results;
using Npgsql;

namespace EmiPlatform.Api.Exports;

/// <summary>
/// The two CSV layouts of docs/results.md. Their columns are a public contract: add columns at the end, never rename
/// or reorder. A recording's identifier cells are encoded once and copied onto each of its window rows.
/// </summary>
public static class CsvExport
{
    private static readonly string[] Identifiers =
        ["study", "study_id", "participant", "participant_id", "recording", "recording_id", "stimulus", "trial",
         "model_name", "model_version", "model_trained"];

    public static readonly string[] LongColumns = [.. Identifiers, "window", "start_s", "end_s", .. ScoreColumns.Names, .. EventColumns.Window];

    /// <summary>One row per event of each scored recording (docs/results.md, "Per-event results").</summary>
    public static readonly string[] EventColumnsLayout = [.. Identifiers, .. EventColumns.Result];

    public static readonly string[] AggregateColumns =
        [.. Identifiers, "duration_s", "window_count", .. ScoreColumns.Names];

    /// <summary>
    /// The companion layout: one row per recording of the study whatever became of it, so a recording that has no rows
    /// in the other two (failed, cancelled, still queued or running, never scored) is named with its status and error.
    /// </summary>
    public static readonly string[] RecordingsColumns =
        ["study", "study_id", "participant", "participant_id", "recording", "recording_id", "stimulus", "trial",
         "status", "error", "model_name", "model_version", "window_count"];

    /// <summary>The recordings layout; returns the number of data rows written.</summary>
    public static async Task<long> WriteRecordingsAsync(PipeWriter output, NpgsqlConnection connection, Guid tenantId, Guid studyId, Guid? bundleId,
        CsvFormulas formulas, CancellationToken cancellationToken)
    {
        var csv = new CsvWriter(output, formulas);
        csv.Header(RecordingsColumns);
        await using var reader = await ResultQueries.StatusesAsync(connection, tenantId, studyId, bundleId, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (r, status, error, windows) = ResultQueries.ReadStatus(reader);
            WriteRecording(csv, r);
            csv.Text(status);
            csv.Text(error);
            csv.Text(r.Bundle?.Name);
            csv.Text(r.Bundle?.Version);
            csv.Number(windows);
            csv.EndRow();
            await csv.FlushIfFullAsync(cancellationToken);
        }
        return csv.Rows;
    }

    /// <summary>The long layout; returns the number of data rows written.</summary>
    public static async Task<long> WriteLongAsync(PipeWriter output, NpgsqlConnection connection, Guid tenantId, IReadOnlyList<ScoredRecording> recordings,
        CsvFormulas formulas, CancellationToken cancellationToken)
    {
        var csv = new CsvWriter(output, formulas);
        csv.Header(LongColumns);
        if (recordings.Count == 0)
        {
            return 0;
        }
        // Memory here is O(recordings), not O(windows): a few hundred bytes per recording.
        var prefixes = recordings.Select(r => csv.Encode(w => WriteIdentifiers(w, r))).ToArray();
        await using var reader = await ResultQueries.WindowsAsync(connection, tenantId, recordings, null, null, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            csv.EncodedCells(prefixes[reader.GetInt64(0) - 1]);
            csv.Number(reader.GetInt32(1));
            csv.Number(reader.GetDouble(2));
            csv.Number(reader.GetDouble(3));
            for (var i = 0; i < ScoreColumns.Count; i++)
            {
                csv.Value(ResultQueries.ReadValue(reader, ResultQueries.WindowScoresAt, i));
            }
            var e = WindowEvent.Read(reader);
            Nullable(csv, e.Index);
            csv.Text(e.Kind);
            csv.Text(e.Stimulus);
            csv.Text(e.Trial);
            csv.Text(e.Condition);
            Nullable(csv, e.TRelS);
            csv.EndRow();
            await csv.FlushIfFullAsync(cancellationToken);
        }
        return csv.Rows;
    }

    /// <summary>The per-event layout; returns the number of data rows written.</summary>
    public static async Task<long> WriteEventsAsync(PipeWriter output, NpgsqlConnection connection, Guid tenantId, IReadOnlyList<ScoredRecording> recordings,
        CsvFormulas formulas, CancellationToken cancellationToken)
    {
        var csv = new CsvWriter(output, formulas);
        csv.Header(EventColumnsLayout);
        if (recordings.Count == 0)
        {
            return 0;
        }
        var prefixes = recordings.Select(r => csv.Encode(w => WriteIdentifiers(w, r))).ToArray();
        await using var reader = await EventResults.ReadAsync(connection, tenantId, recordings, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            csv.EncodedCells(prefixes[reader.GetInt64(0) - 1]);
            foreach (var value in EventResults.ReadRow(reader))
            {
                switch (value)
                {
                    case int n:
                        csv.Number(n);
                        break;
                    case double d:
                        csv.Number(d);
                        break;
                    case float f:
                        csv.Number((float?)f);
                        break;
                    default:
                        csv.Text(value as string);
                        break;
                }
            }
            csv.EndRow();
            await csv.FlushIfFullAsync(cancellationToken);
        }
        return csv.Rows;
    }

    /// <summary>The aggregate layout; returns the number of data rows written.</summary>
    public static async Task<long> WriteAggregateAsync(PipeWriter output, NpgsqlConnection connection, Guid tenantId, Guid studyId, Guid? bundleId,
        CsvFormulas formulas, CancellationToken cancellationToken)
    {
        var csv = new CsvWriter(output, formulas);
        csv.Header(AggregateColumns);
        await using var reader = await ResultQueries.RecordingsAsync(connection, tenantId, studyId, null, null, bundleId, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var recording = ResultQueries.ReadRecording(reader);
            if (recording.Bundle is null)
            {
                continue; // not scored (by the requested model): no row, as in the long format
            }
            var aggregate = ResultQueries.ReadAggregate(reader);
            WriteIdentifiers(csv, recording);
            csv.Number(aggregate.DurationSeconds);
            csv.Number(aggregate.WindowCount);
            foreach (var value in aggregate.Values)
            {
                csv.Value(value);
            }
            csv.EndRow();
            await csv.FlushIfFullAsync(cancellationToken);
        }
        return csv.Rows;
    }

    private static void Nullable(CsvWriter csv, double? value)
    {
        if (value is { } v)
        {
            csv.Number(v);
        }
        else
        {
            csv.Text(null);
        }
    }

    private static void Nullable(CsvWriter csv, int? value)
    {
        if (value is { } v)
        {
            csv.Number(v);
        }
        else
        {
            csv.Text(null);
        }
    }

    private static void WriteIdentifiers(CsvWriter csv, ScoredRecording r)
    {
        WriteRecording(csv, r);
        csv.Text(r.Bundle!.Name);
        csv.Text(r.Bundle.Version);
        csv.Boolean(r.Bundle.Trained);
    }

    /// <summary>The eight columns that name a recording as the lab knows it, first in every export.</summary>
    private static void WriteRecording(CsvWriter csv, ScoredRecording r)
    {
        csv.Text(r.StudyName);
        csv.Id(r.StudyId);
        csv.Text(r.ParticipantCode);
        csv.Id(r.ParticipantId);
        csv.Text(r.FileName);
        csv.Id(r.RecordingId);
        csv.Text(r.Stimulus);
        csv.Text(r.Trial);
    }
}
