using System.Diagnostics;
using EmiPlatform.Bundles;
using EmiPlatform.Inference.Scoring;
using EmiPlatform.Media;
using EmiPlatform.Testing.Media;

namespace EmiPlatform.Inference.Tests;

/// <summary>
/// Decoding opens nothing but the recording: every playlist, concatenation list and description in the corpus is refused
/// by the probe and by the worker's decoders (with or without a stored probe), and nothing reaches the canary.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class ReferringInputTests : IAsyncLifetime
{
    private readonly MediaTools _tools = MediaTools.FromEnvironment();
    private ReferringCorpus _corpus = null!;

    public Task InitializeAsync()
    {
        _corpus = ReferringCorpus.Create("emi-referring-");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _corpus.DisposeAsync();

    [Fact]
    public void The_corpus_covers_every_input_protocol_and_every_referring_demuxer_this_ffmpeg_lists()
    {
        var covered = _corpus.Inputs.Select(i => i.Protocol).ToHashSet(StringComparer.Ordinal);
        var missing = FfmpegCapabilities.InputProtocols.Where(p => !covered.Contains(p)).ToArray();
        Assert.True(missing.Length == 0, $"no referring input uses the protocol(s) {string.Join(", ", missing)}: add them to ReferringInputs.ProtocolUrls");

        var demuxers = FfmpegCapabilities.Demuxers.SelectMany(d => d.Split(',')).ToHashSet(StringComparer.Ordinal);
        foreach (var referring in ReferringInputs.Demuxers.Where(demuxers.Contains))
        {
            Assert.Contains(_corpus.Inputs, i => i.Demuxer == referring);
            Assert.DoesNotContain(referring, AcceptedFormats.Demuxers);
        }
        Assert.Contains("hls", demuxers); // the build these tests ran on had the demuxer of the original finding
    }

    [Theory]
    [InlineData("hls-http")]
    [InlineData("hls-variant")]
    [InlineData("dash-http")]
    public async Task Without_the_whitelists_ffprobe_over_http_follows_the_corpus_to_the_canary(string name)
    {
        // The control, and the original finding: the same file read over HTTP (as the upload probe reads a SAS) by a bare
        // ffprobe does reach the canary, so silence in the other tests means refused, not a corpus that points nowhere.
        var input = _corpus.Inputs.Single(i => i.Name == name);
        await using var storage = new LoopbackFileServer();
        var url = storage.Add(input.FileName, input.Bytes);
        using var ffprobe = Process.Start(new ProcessStartInfo("ffprobe", ["-v", "error", url.AbsoluteUri]) { RedirectStandardError = true })!;
        try
        {
            Assert.True(await _corpus.Canary.WaitForHitAsync(TimeSpan.FromSeconds(15)), $"bare ffprobe on {name} did not reach the canary");
        }
        finally
        {
            ffprobe.Kill(entireProcessTree: true);
            await ffprobe.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Every_referring_input_read_over_http_is_refused_as_unreadable_and_reaches_nothing()
    {
        await using var storage = new LoopbackFileServer();
        foreach (var input in _corpus.Inputs)
        {
            var source = MediaSource.Http(storage.Add(input.FileName, input.Bytes), input.FileName);
            var error = await Assert.ThrowsAsync<MediaDecodeException>(() => MediaProbe.ProbeAsync(source, _tools, CancellationToken.None));
            Assert.True(error.Kind == MediaErrorKind.Unreadable, $"{input.Name}: {error.Kind} {error.Message}");
        }

        Assert.Empty(await _corpus.Canary.SettledHitsAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Every_referring_input_is_refused_by_the_probe_and_by_the_decoders_and_reaches_nothing()
    {
        using var pipeline = new ScoringPipeline(TestEnvironment.Cpu, _tools);
        var bundle = ModelBundle.Load(TestEnvironment.ReferenceBundle);
        foreach (var input in _corpus.Inputs)
        {
            var path = Write(input);

            var probe = await Assert.ThrowsAsync<MediaDecodeException>(() => MediaProbe.ProbeAsync(path, _tools, CancellationToken.None));
            Assert.True(probe.Kind == MediaErrorKind.Unreadable, $"{input.Name}: {probe.Kind} {probe.Message}");
            var scored = await Assert.ThrowsAsync<MediaDecodeException>(() => pipeline.ScoreAsync(path, bundle));
            Assert.True(scored.Kind == MediaErrorKind.Unreadable, $"{input.Name}: {scored.Kind} {scored.Message}");

            // A stored probe that lies about the format (the worker trusts the row): the pinned demuxer cannot read it.
            var forged = Forged(path, "mov,mp4,m4a,3gp,3g2,mj2");
            var decoded = await Assert.ThrowsAsync<MediaDecodeException>(() => pipeline.ScoreAsync(forged, bundle));
            Assert.True(decoded.Kind is MediaErrorKind.DecodeFailed or MediaErrorKind.Truncated, $"{input.Name}: {decoded.Kind} {decoded.Message}");
            // A stored probe that names the referring format itself is refused before any ffmpeg starts.
            var before = FfmpegProcess.LiveCount;
            var named = await Assert.ThrowsAsync<MediaDecodeException>(() => pipeline.ScoreAsync(Forged(path, input.Demuxer), bundle));
            Assert.Equal(MediaErrorKind.Unreadable, named.Kind);
            Assert.Equal(before, FfmpegProcess.LiveCount);
        }

        Assert.Empty(await _corpus.Canary.SettledHitsAsync(TimeSpan.FromSeconds(10)));
        Assert.Empty(ChildProcesses.FfmpegChildren());
    }

    [Fact]
    public async Task The_probe_names_what_it_refused()
    {
        var error = await Assert.ThrowsAsync<MediaDecodeException>(() =>
            MediaProbe.ProbeAsync(Write(_corpus.Inputs.Single(i => i.Name == "hls-http")), _tools, CancellationToken.None));
        Assert.Contains("is a hls file", error.Message, StringComparison.Ordinal);
        Assert.Contains("refer to further files or URLs", error.Message, StringComparison.Ordinal);
    }

    private string Write(ReferringInput input)
    {
        var path = Path.Combine(_corpus.Folder, input.FileName);
        File.WriteAllBytes(path, input.Bytes);
        return path;
    }

    private static MediaInfo Forged(string path, string formatName) => new(
        path, formatName, 2, 0,
        new AudioStreamInfo(0, "aac", 16000, 1, 0, 2),
        new VideoStreamInfo(1, "h264", 64, 48, 10, 10, 0, 0, 2));
}
