using EmiPlatform.Harness;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// The hosts' shipped appsettings.json keep database command logs out of the Information stream: Npgsql logs every
/// command it executes at Information, which buried the platform's own lines in the demo's log (issue 24).
/// </summary>
public sealed class HostLogLevelTests
{
    [Theory]
    [InlineData("src/EmiPlatform.Api/appsettings.json")]
    [InlineData("src/EmiPlatform.Silo/appsettings.json")]
    public void Database_commands_are_logged_at_warning_only(string settings)
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(RepoRoot.Path, settings)).Build();
        using var services = new ServiceCollection()
            .AddLogging(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddProvider(new NullSinkProvider()))
            .BuildServiceProvider();
        var loggers = services.GetRequiredService<ILoggerFactory>();

        foreach (var category in new[] { "Npgsql.Command", "Microsoft.EntityFrameworkCore.Database.Command" })
        {
            var logger = loggers.CreateLogger(category);
            Assert.False(logger.IsEnabled(LogLevel.Information), $"{settings} logs {category} at Information");
            Assert.True(logger.IsEnabled(LogLevel.Warning), $"{settings} hides {category} warnings");
        }
        Assert.True(loggers.CreateLogger("EmiPlatform.Scoring.Jobs.JobRunner").IsEnabled(LogLevel.Information));
    }

    // The configured filters decide; a provider that would take every level lets IsEnabled show them.
    private sealed class NullSinkProvider : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }

        public void Dispose()
        {
        }
    }
}
