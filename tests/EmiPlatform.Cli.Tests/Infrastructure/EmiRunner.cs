using System.Text.Json;

namespace EmiPlatform.Cli.Tests.Infrastructure;

/// <summary>Runs the emi command tree in-process with its own environment and captured stdout / stderr.</summary>
public sealed class EmiRunner
{
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);

    public EmiRunner(string configPath)
    {
        _environment["EMI_CONFIG"] = configPath;
    }

    /// <summary>A CLI whose profile file lives in a fresh temporary folder, pointed at <paramref name="url"/> with <paramref name="key"/>.</summary>
    public static EmiRunner For(Uri url, string key)
    {
        var cli = new EmiRunner(Path.Combine(Directory.CreateTempSubdirectory("emi-cli-").FullName, "config.json"));
        cli.Set("EMI_URL", url.AbsoluteUri).Set("EMI_KEY", key);
        return cli;
    }

    public EmiRunner Set(string name, string? value)
    {
        if (value is null)
        {
            _environment.Remove(name);
        }
        else
        {
            _environment[name] = value;
        }
        return this;
    }

    /// <summary>The HTTP handler the CLI's client goes through (null: its own); e.g. one that cuts a stream.</summary>
    public HttpMessageHandler? Handler { get; set; }

    public Task<CliResult> RunAsync(params string[] args) => Start(args).Completion;

    /// <summary>Starts a command and returns at once, so a test can act while it runs (e.g. while `jobs watch` follows).</summary>
    /// <summary>As on a terminal: progress goes to stderr as Spectre.Console live views rather than log lines.</summary>
    public bool Interactive { get; set; }

    public RunningCli Start(params string[] args)
    {
        var stdout = new LiveWriter();
        var stderr = new LiveWriter();
        var context = new CliContext
        {
            Out = stdout,
            Error = stderr,
            Environment = name => _environment.GetValueOrDefault(name),
            Interactive = Interactive,
            HttpHandler = Handler,
        };
        async Task<CliResult> RunAsync()
        {
            await Task.Yield();
            var exit = await EmiCli.RunAsync(args, context);
            return new CliResult(exit, stdout.Text, stderr.Text, args);
        }
        return new RunningCli(RunAsync(), stdout, stderr);
    }

    /// <summary>Runs with --json, asserts exit 0 and returns stdout parsed.</summary>
    public async Task<JsonElement> JsonAsync(params string[] args)
    {
        var result = await RunAsync([.. args, "--json"]);
        result.AssertExit(0);
        return result.Json();
    }
}

public sealed record CliResult(int ExitCode, string Out, string Error, string[] Args)
{
    public CliResult AssertExit(int expected)
    {
        Assert.True(ExitCode == expected,
            $"emi {string.Join(' ', Args)}: expected exit {expected}, got {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}");
        return this;
    }

    public JsonElement Json()
    {
        using var doc = JsonDocument.Parse(Out);
        return doc.RootElement.Clone();
    }
}
