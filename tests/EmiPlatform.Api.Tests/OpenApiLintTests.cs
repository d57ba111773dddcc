using System.Diagnostics;
using System.Text;
using System.Text.Json;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// The served document as an outside linter sees it: Spectral's <c>spectral:oas</c> ruleset, pinned in
/// tools/openapi-lint (installed by <c>make openapi-lint</c>, which <c>make build</c> runs).
/// </summary>
public sealed class OpenApiLintTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly string LintFolder = Path.Combine(RepoRoot.Path, "tools", "openapi-lint");

    [Fact]
    public async Task Spectral_finds_no_error_and_no_warning_in_the_served_document()
    {
        var spectral = Path.Combine(LintFolder, "node_modules", ".bin", "spectral");
        Assert.True(File.Exists(spectral), $"{spectral} is missing: run 'make openapi-lint' (npm ci in tools/openapi-lint).");

        // Kept when the test fails, so the findings can be read against the document.
        var folder = Directory.CreateTempSubdirectory("emi-openapi-");
        var document = Path.Combine(folder.FullName, "v1.json");
        await File.WriteAllTextAsync(document, await api.Client(null).GetStringAsync("/openapi/v1.json"));
        var report = Path.Combine(folder.FullName, "spectral.json");
        var (exitCode, output) = await RunAsync(spectral, "lint", document, "--ruleset", Path.Combine(LintFolder, ".spectral.yaml"),
            "--format", "json", "--output", report, "--fail-severity", "hint");
        Assert.True(File.Exists(report), $"spectral wrote no report (exit code {exitCode}):\n{output}");

        var findings = JsonDocument.Parse(await File.ReadAllTextAsync(report)).RootElement.EnumerateArray()
            .Select(f => new Finding(
                f.GetProperty("severity").GetInt32(),
                f.GetProperty("code").GetString()!,
                string.Join('.', f.GetProperty("path").EnumerateArray().Select(p => p.ToString())),
                f.GetProperty("message").GetString()!))
            .ToList();
        // Spectral's severities: 0 error, 1 warning, 2 information, 3 hint.
        var serious = findings.Where(f => f.Severity <= 1).ToList();
        Assert.True(serious.Count == 0,
            $"spectral:oas on {document}: {serious.Count(f => f.Severity == 0)} errors, {serious.Count(f => f.Severity == 1)} warnings:\n" +
            string.Join('\n', serious.Select(f => f.ToString())));
        Assert.True(exitCode == 0 || findings.Count > 0, $"spectral failed without findings (exit code {exitCode}):\n{output}");
        folder.Delete(recursive: true);
    }

    private sealed record Finding(int Severity, string Code, string Path, string Message)
    {
        public override string ToString() => $"  [{(Severity == 0 ? "error" : "warning")}] {Code} at {Path}: {Message}";
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = LintFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
