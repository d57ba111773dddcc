using System.Text.Json;
using System.Text.Json.Serialization;
using EmiPlatform.Cli.Http;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace EmiPlatform.Cli.Output;

/// <summary>
/// Where command output goes: tables and messages for people on stdout, or with <c>--json</c> exactly one JSON
/// document on stdout. Errors always go to stderr in words; with <c>--json</c> the problem JSON also goes to stdout.
/// </summary>
internal sealed class Printer
{
    private static readonly JsonSerializerOptions s_indented = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) }, // as the API writes enums
    };
    private readonly CliContext _context;
    private readonly Lazy<IAnsiConsole> _console;

    public Printer(CliContext context, bool json)
    {
        _context = context;
        IsJson = json;
        _console = new Lazy<IAnsiConsole>(() => CreateConsole(context.Out, ReferenceEquals(context.Out, Console.Out) && !Console.IsOutputRedirected));
    }

    public bool IsJson { get; }

    public IAnsiConsole Ansi => _console.Value;

    public static IAnsiConsole CreateConsole(TextWriter writer, bool terminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = 250; // piped output: never wrap ids and hashes
        }
        return console;
    }

    public void Json(JsonElement element) => _context.Out.WriteLine(JsonSerializer.Serialize(element, s_indented));

    public void Json<T>(T value) => _context.Out.WriteLine(JsonSerializer.Serialize(value, s_indented));

    /// <summary>Human output only: ignored with --json, where the JSON document is the whole answer.</summary>
    public void Line(string text)
    {
        if (!IsJson)
        {
            _context.Out.WriteLine(text);
        }
    }

    public void Table(string[] headers, IEnumerable<string?[]> rows, string? title = null)
    {
        var table = new Table().Border(TableBorder.Rounded);
        if (title is not null)
        {
            table.Title = new TableTitle(title);
        }
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(new Text(header, new Style(decoration: Decoration.Bold))));
        }
        foreach (var row in rows)
        {
            table.AddRow(row.Select(cell => (IRenderable)new Text(cell ?? "")).ToArray());
        }
        Ansi.Write(table);
    }

    /// <summary>One object as a two-column table of its scalar properties.</summary>
    public void Record(JsonElement element, string? title = null) =>
        Table(["field", "value"], element.EnumerateObject().Select(p => new[] { p.Name, JsonText.Scalar(p.Value) }), title);

    public void Fail(string message) => _context.Error.WriteLine($"emi: error: {message}");

    public void Warn(string message) => _context.Error.WriteLine($"emi: {message}");

    /// <summary>Title, detail and each field error, so a person sees what to fix without reading JSON.</summary>
    public void Problem(ApiException problem)
    {
        var error = _context.Error;
        error.WriteLine($"emi: error: {(int)problem.Status} {problem.Title}" + (problem.Detail is { } d ? $": {d}" : ""));
        foreach (var (field, messages) in problem.Errors)
        {
            foreach (var message in messages)
            {
                error.WriteLine($"  {field}: {message}");
            }
        }
        if (problem.Type is not null)
        {
            error.WriteLine($"  (type {problem.Type}" + (problem.TraceId is { } t ? $", trace id {t})" : ")"));
        }
        if (IsJson && problem.RawBody is { } raw)
        {
            using var doc = JsonDocument.Parse(raw);
            Json(doc.RootElement);
        }
    }
}
