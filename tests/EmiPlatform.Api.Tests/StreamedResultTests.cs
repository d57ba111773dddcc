using System.Buffers;
using System.Net;
using System.Text;
using EmiPlatform.Api.Problems;
using EmiPlatform.Api.RateLimits;
using EmiPlatform.Api.Timelines;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// The helper every streamed result (timelines, scores, CSV exports) is written through, on Kestrel with the platform's
/// own problem handling: a failure once the body has begun aborts the connection, whether the first bytes were already
/// sent or still sat in the response pipe, so no client can take part of a document for all of it.
/// </summary>
public sealed class StreamedResultTests : IAsyncLifetime
{
    private const string Start = """{"recordings":[{"windows":[""";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);
    private WebApplication app = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.AddEmiProblems();
        builder.Services.Configure<RateLimitsOptions>(o => o.StreamDeadline = Deadline);
        builder.Services.AddSingleton<StreamSlots>();
        app = builder.Build();
        app.UseExceptionHandler();
        app.MapGet("/sent-then-fails", () => Streamed(flush: true));
        app.MapGet("/buffered-then-fails", () => Streamed(flush: false));
        app.MapGet("/endless", () => new StreamedResult("application/json", null, async (output, token) =>
        {
            var chunk = new byte[64 * 1024];
            while (true)
            {
                output.Write(chunk);
                await output.FlushAsync(token);
            }
        }));
        app.MapGet("/fails-before-writing", () => new StreamedResult("application/json", null, (_, _) => throw new InvalidOperationException("no rows")));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await app.DisposeAsync();
    }

    private static StreamedResult Streamed(bool flush) => new("application/json; charset=utf-8", null, async (output, token) =>
    {
        output.Write(Encoding.UTF8.GetBytes(Start));
        if (flush)
        {
            await output.FlushAsync(token);
        }
        // What a database error in the middle of the rows looks like to the writer.
        throw new InvalidOperationException("Invalid attempt to read from column ordinal '0'");
    });

    [Theory]
    [InlineData("/sent-then-fails")]
    [InlineData("/buffered-then-fails")]
    public async Task A_failure_after_the_body_began_breaks_the_transfer_instead_of_ending_a_document(string path)
    {
        string? body = null;
        var failure = await Record.ExceptionAsync(async () =>
        {
            using var response = await client.GetAsync(path);
            body = await response.Content.ReadAsStringAsync();
        });

        Assert.True(failure is HttpRequestException or IOException,
            $"expected a broken transfer, got {failure?.GetType().Name ?? "a complete response"}: {body}");
    }

    [Fact]
    public async Task A_failure_before_any_byte_is_still_a_problem_response()
    {
        using var response = await client.GetAsync("/fails-before-writing");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_response_not_read_to_the_end_within_the_deadline_is_aborted()
    {
        using var response = await client.GetAsync("/endless", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var started = System.Diagnostics.Stopwatch.StartNew();
        // A reader that keeps up is still cut at the deadline: the writer, not the reader, decides how long it holds on.
        var failure = await Record.ExceptionAsync(() => body.CopyToAsync(Stream.Null).WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.True(failure is HttpRequestException or IOException, $"expected a broken transfer, got {failure?.GetType().Name ?? "the end of an endless body"}");
        Assert.True(started.Elapsed >= Deadline - TimeSpan.FromMilliseconds(100), $"cut after {started.Elapsed}, before the deadline");
    }
}
