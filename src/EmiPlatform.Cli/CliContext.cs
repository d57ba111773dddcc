namespace EmiPlatform.Cli;

/// <summary>
/// What a command may touch outside itself: its output streams, the environment and the HTTP handler. The process
/// entry point passes the real ones; tests pass writers and a dictionary, so commands run in-process unchanged.
/// </summary>
public sealed class CliContext
{
    public required TextWriter Out { get; init; }
    public required TextWriter Error { get; init; }
    public required Func<string, string?> Environment { get; init; }

    /// <summary>Progress bars need a terminal; false in tests and pipes.</summary>
    public bool Interactive { get; init; }

    /// <summary>Optional handler for the API client (null: a SocketsHttpHandler).</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    public static CliContext FromProcess() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        Environment = System.Environment.GetEnvironmentVariable,
        Interactive = !Console.IsErrorRedirected,
    };

    public string? Env(string name) => Environment(name) is { Length: > 0 } value ? value : null;
}
