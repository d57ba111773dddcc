using System.IO.Pipelines;
using System.Text.Json;
using EmiPlatform.Results;
using Npgsql;

namespace EmiPlatform.Api.Timelines;

/// <summary>
/// Timelines as JSON written with <see cref="Utf8JsonWriter"/> straight into the response pipe, flushed every
/// 32 KiB: a long recording's windows are never materialised. Window fields are named like the CSV columns.
/// </summary>
public sealed class TimelineJson(PipeWriter output, TimelineFilter filter) : IAsyncDisposable
{
    private const int FlushThreshold = 32 * 1024;
    private readonly Utf8JsonWriter json = new(output, new JsonWriterOptions { SkipValidation = true });
    private static readonly JsonEncodedText[] ScoreNames = [.. ScoreColumns.All.Select(c => JsonEncodedText.Encode(c.JsonName))];
    private static readonly JsonEncodedText[] EventNames = [.. EventColumns.Window.Select(n => JsonEncodedText.Encode(n))];
    private static readonly JsonEncodedText[] ResultNames = [.. EventColumns.Result.Select(n => JsonEncodedText.Encode(n))];

    public Utf8JsonWriter Writer => json;

    /// <summary>The envelope properties of one recording (the caller has opened its object).</summary>
    public void RecordingProperties(ScoredRecording r)
    {
        json.WriteString("recordingId", r.RecordingId);
        json.WriteString("studyId", r.StudyId);
        json.WriteString("participantId", r.ParticipantId);
        json.WriteString("participantCode", r.ParticipantCode);
        json.WriteString("fileName", r.FileName);
        json.WriteString("stimulus", r.Stimulus);
        json.WriteString("trial", r.Trial);
        if (r.Bundle is { } b)
        {
            json.WriteStartObject("model");
            json.WriteString("name", b.Name);
            json.WriteString("version", b.Version);
            json.WriteBoolean("trained", b.Trained);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("model");
        }
    }

    public void FilterProperties()
    {
        json.WriteStartArray("scores");
        foreach (var i in filter.Scores)
        {
            json.WriteStringValue(ScoreNames[i]);
        }
        json.WriteEndArray();
        WriteNullable("fromS", filter.FromS);
        WriteNullable("toS", filter.ToS);
    }

    /// <summary>One window object from a <see cref="ResultQueries.WindowsAsync"/> row.</summary>
    public void Window(NpgsqlDataReader reader)
    {
        json.WriteStartObject();
        json.WriteNumber("index", reader.GetInt32(1));
        json.WriteNumber("start_s", reader.GetDouble(2));
        json.WriteNumber("end_s", reader.GetDouble(3));
        for (var i = 0; i < ScoreColumns.Count; i++)
        {
            // Sequential access: read every column in order, write only those the filter keeps.
            var value = ResultQueries.ReadValue(reader, ResultQueries.WindowScoresAt, i);
            if (Writes(i))
            {
                WriteValue(i, value);
            }
        }
        var e = WindowEvent.Read(reader);
        WriteNullable(EventNames[0], e.Index);
        json.WriteString(EventNames[1], e.Kind);
        json.WriteString(EventNames[2], e.Stimulus);
        json.WriteString(EventNames[3], e.Trial);
        json.WriteString(EventNames[4], e.Condition);
        WriteNullable(EventNames[5], e.TRelS);
        json.WriteEndObject();
    }

    /// <summary>One row of <see cref="Events.EventResults"/> as an object: the recording's ids and names, then each result column.</summary>
    public void EventResult(ScoredRecording r, object?[] values)
    {
        json.WriteStartObject();
        json.WriteString("recordingId", r.RecordingId);
        json.WriteString("participantId", r.ParticipantId);
        json.WriteString("participantCode", r.ParticipantCode);
        json.WriteString("fileName", r.FileName);
        for (var i = 0; i < values.Length; i++)
        {
            switch (values[i])
            {
                case int n:
                    json.WriteNumber(ResultNames[i], n);
                    break;
                case double d:
                    json.WriteNumber(ResultNames[i], d);
                    break;
                case float f:
                    json.WriteNumber(ResultNames[i], f);
                    break;
                case string text:
                    json.WriteString(ResultNames[i], text);
                    break;
                default:
                    json.WriteNull(ResultNames[i]);
                    break;
            }
        }
        json.WriteEndObject();
    }

    /// <summary>The properties of a recording_scores row: duration, window count, the selected scores and the other columns.</summary>
    public void Aggregate(RecordingAggregate aggregate)
    {
        json.WriteNumber("duration_s", aggregate.DurationSeconds);
        json.WriteNumber("window_count", aggregate.WindowCount);
        for (var i = 0; i < ScoreColumns.Count; i++)
        {
            if (Writes(i))
            {
                WriteValue(i, aggregate.Values[i]);
            }
        }

        FeatureValues(aggregate.Features);
    }

    /// <summary>A scored recording's <c>features</c>: which backbone made each branch's features and whether the cache supplied them.</summary>
    public void FeatureProvenance(ScoredRecording r)
    {
        if (r.Features is null)
        {
            json.WriteNull("features");
            return;
        }
        json.WriteStartObject("features");
        FeatureValues(r.Features);
        json.WriteEndObject();
    }

    private void FeatureValues(object?[] features)
    {
        for (var i = 0; i < FeatureColumns.Count; i++)
        {
            switch (features[i])
            {
                case string hash:
                    json.WriteString(FeatureColumns.Names[i], hash);
                    break;
                case bool cached:
                    json.WriteBoolean(FeatureColumns.Names[i], cached);
                    break;
                default:
                    json.WriteNull(FeatureColumns.Names[i]);
                    break;
            }
        }
    }

    /// <summary>Unselected scores are left out; flags and other unselectable columns are always written.</summary>
    private bool Writes(int column) => !ScoreColumns.All[column].IsSelectable || Array.BinarySearch(filter.Scores, column) >= 0;

    private void WriteValue(int column, object? value)
    {
        switch (value)
        {
            case float v:
                json.WriteNumber(ScoreNames[column], v);
                break;
            case bool flag:
                json.WriteBoolean(ScoreNames[column], flag);
                break;
            default:
                json.WriteNull(ScoreNames[column]);
                break;
        }
    }

    public async ValueTask FlushIfFullAsync(CancellationToken cancellationToken)
    {
        if (json.BytesPending + output.UnflushedBytes >= FlushThreshold)
        {
            await json.FlushAsync(cancellationToken);
            await output.FlushAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await json.FlushAsync();
        await json.DisposeAsync();
    }

    private void WriteNullable(string name, double? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private void WriteNullable(JsonEncodedText name, double? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
