using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace EmiPlatform.Testing;

/// <summary>
/// A logger provider that keeps everything a host logs — every category, from Debug up — as text: the formatted
/// message, each structured value (a value a template leaves out can still leak), the scopes around it and the
/// exception with its inner ones. For tests that search the logs for what must never be in them.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> entries = new();
    private IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

    public int Count => entries.Count;

    public string Text => string.Join('\n', entries);

    /// <summary>Each entry whole (a logged SQL command spans lines).</summary>
    public IReadOnlyList<string> Entries => [.. entries];

    /// <summary>Adds text captured elsewhere (another library's event source, a server's log file).</summary>
    public void Add(string source, string text) => entries.Enqueue($"[{source}] {text}");

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner.scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new StringBuilder().Append(logLevel).Append(' ').Append(category).Append(": ").Append(formatter(state, exception));
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (name, value) in values)
                {
                    text.Append(" |").Append(name).Append('=').Append(value);
                }
            }
            owner.scopes.ForEachScope((scope, builder) => builder.Append(" |scope ").Append(scope is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}")) : scope), text);
            if (exception is not null)
            {
                text.Append('\n').Append(exception);
            }
            owner.entries.Enqueue(text.ToString());
        }
    }
}
