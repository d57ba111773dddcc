using System.IO.Pipelines;
using EmiPlatform.Api.Events;
using EmiPlatform.Api.Timelines;
using EmiPlatform.Csv;
using EmiPlatform.Results;
using Npgsql;

namespace EmiPlatform.Api.Exports;

/// <summary>
/// The three CSV layouts of docs/results.md, in the column order of <see cref="ExportColumns"/>, each followed by the
/// study's participant metadata columns (<see cref="ParticipantMetadata"/>). Their columns are a public contract: add
/// columns at the end, never rename or reorder. A recording's identifier cells are encoded once and copied onto each of
/// its window rows.
/// </summary>
public static class CsvExport
{
    public static readonly string[] LongColumns = ExportColumns.Names(ExportColumns.Long);

    public static readonly string[] AggregateColumns = ExportColumns.Names(ExportColumns.Aggregate);

    /// <summary>One row per event of each scored recording (docs/results.md, "Per-event results").</summary>
    public static readonly string[] EventsColumns = ExportColumns.Names(ExportColumns.Events);

    /// <summary>
    /// The companion layout: one row per recording of the study whatever became of it, so a recording that has no rows
    /// in the other two (failed, cancelled, still queued or running, never scored) is named with its status and error.
    /// </summary>
    public static readonly string[] RecordingsColumns = ExportColumns.Names(ExportColumns.Recordings);

    /// <summary>The recordings layout; returns the number of data rows written.</summary>
    public static async Task<long> WriteRecordingsAsync(PipeWriter output, NpgsqlConnection connection, Guid tenantId, Guid studyId, Guid? bundleId,
        ParticipantMetadata metadata, CsvFormulas formulas, CancellationToken cancellationToken)
    {
        var csv = new CsvWriter(output, formulas);
        csv.Header([.. RecordingsColumns, .. ExportColumns.Names(metadata.Columns)]);
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
            metadata.Append(csv, metadata.Encode(csv, r.ParticipantId));
            csv.EndRow();
            await csv.FlushIfFullAsync(cancellationToken);
        }
        return csv.Rows;
    }

    /// <summary>The long layout; returns the number of data rows written.</summary>
    public static async Task<long> WriteLongAsync(PipeWriter output, NpgsqlConnection connection, Guid tenantId, IReadOnlyList<ScoredRecording> recordings,
        ParticipantMetadata metadata, CsvFormulas formulas, CancellationToken cancellationToken)
    {
        var csv = new CsvWriter(output, formulas);
        csv.Header([.. LongColumns, .. ExportColumns.Names(metadata.Columns)]);
        if (recordings.Count == 0)
        {
            return 0;
        }
        // Memory here is O(recordings), not O(windows): a few hundred bytes per recording.
        var prefixes = recordings.Select(r => csv.Encode(w => WriteIdentifiers(w, r))).ToArray();
        var features = recordings.Select(r => csv.Encode(w => w.Values(r.Features!))).ToArray();
        var suffixes = recordings.Select(r => metadata.Encode(csv, r.ParticipantId)).ToArray();
        await using var reader = await ResultQueries.WindowsAsync(connection, tenantId, recordings, null, null, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var position = reader.GetInt64(0) - 1;
            csv.EncodedCells(prefixes[position]);
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
            csv.EncodedCells(features[position]);
            metadata.Append(csv, suffixes[position]);
            csv.EndRow();
            await csv.FlushIfFullAsync(cancellationToken);
        }
        return csv.Rows;
    }

    /// <summary>The per-event layout; returns the number of data rows written.</summary>
    public static async Task<long> WriteEventsAsync(PipeWriter output, NpgsqlConnection connection, Guid tenantId, IReadOnlyList<ScoredRecording> recordings,
        ParticipantMetadata metadata, CsvFormulas formulas, CancellationToken cancellationToken)
    {
        var csv = new CsvWriter(output, formulas);
        csv.Header([.. EventsColumns, .. ExportColumns.Names(metadata.Columns)]);
        if (recordings.Count == 0)
        {
            return 0;
        }
        var prefixes = recordings.Select(r => csv.Encode(w => WriteIdentifiers(w, r))).ToArray();
        var suffixes = recordings.Select(r => metadata.Encode(csv, r.ParticipantId)).ToArray();
        await using var reader = await EventResults.ReadAsync(connection, tenantId, recordings, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var position = reader.GetInt64(0) - 1;
            csv.EncodedCells(prefixes[position]);
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
            metadata.Append(csv, suffixes[position]);
            csv.EndRow();
            await csv.FlushIfFullAsync(cancellationToken);
        }
        return csv.Rows;
    }

    /// <summary>The aggregate layout; returns the number of data rows written.</summary>
    public static async Task<long> WriteAggregateAsync(PipeWriter output, NpgsqlConnection connection, Guid tenantId, Guid studyId, Guid? bundleId,
        ParticipantMetadata metadata, CsvFormulas formulas, CancellationToken cancellationToken)
    {
        var csv = new CsvWriter(output, formulas);
        csv.Header([.. AggregateColumns, .. ExportColumns.Names(metadata.Columns)]);
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
            csv.Values(aggregate.Features);
            metadata.Append(csv, metadata.Encode(csv, recording.ParticipantId));
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

    /// <summary>The eight columns that name a recording as the lab knows it, first in every export (<see cref="ExportColumns.Recording"/>).</summary>
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
