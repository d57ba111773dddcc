using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Logs;

namespace EmiPlatform.Api.Tests.Infrastructure;

/// <summary>
/// What a host's OpenTelemetry logging pipeline hands its exporters, copied as it passes: the SDK reuses its log
/// records once exported, so keeping the records themselves (as the in-memory exporter does) would not do.
/// </summary>
public sealed class LogCapture : BaseProcessor<LogRecord>
{
    public ConcurrentQueue<(string? Category, string? Message, ActivityTraceId TraceId, ActivitySpanId SpanId)> Records { get; } = new();

    public override void OnEnd(LogRecord data) => Records.Enqueue((data.CategoryName, data.FormattedMessage, data.TraceId, data.SpanId));
}
