namespace EmiPlatform.Cli.Tests.Infrastructure;

/// <summary>A command started by <see cref="EmiRunner.Start"/>: its output so far, and its result once it exits.</summary>
public sealed class RunningCli(Task<CliResult> completion, LiveWriter stdout, LiveWriter stderr)
{
    public Task<CliResult> Completion { get; } = completion;

    public LiveWriter Out { get; } = stdout;

    public LiveWriter Error { get; } = stderr;

    /// <summary>Waits until <paramref name="writer"/> has a line matching <paramref name="match"/>; fails if the command exits first.</summary>
    public async Task WaitForLineAsync(LiveWriter writer, Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!writer.Text.Split('\n').Any(match))
        {
            if (Completion.IsCompleted)
            {
                var result = await Completion;
                Assert.Fail($"emi {string.Join(' ', result.Args)} exited ({result.ExitCode}) before the expected line\nstdout:\n{result.Out}\nstderr:\n{result.Error}");
            }
            Assert.True(DateTime.UtcNow < deadline, $"no expected line within {timeout}; so far:\n{writer.Text}");
            await Task.Delay(50);
        }
    }
}
