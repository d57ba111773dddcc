using EmiPlatform.Bundles;
using EmiPlatform.Inference.Onnx;
using EmiPlatform.Inference.Scoring;
using EmiPlatform.Media;

namespace EmiPlatform.Inference.Tests;

/// <summary>The whole pipeline (ffprobe, ffmpeg, ONNX Runtime, the reference bundle) on generated recordings.</summary>
[Collection(MediaCollection.Name)]
public sealed class PipelineTests(MediaFixture media) : IDisposable
{
    private readonly ScoringPipeline _pipeline = new(TestEnvironment.Cpu);
    // The whole-frame visual branch: these tests use test patterns, which have no faces (FaceTests cover the face stage).
    private readonly ModelBundle _bundle = ModelBundle.Load(TestEnvironment.ReferenceBundleWithoutFace());

    public void Dispose()
    {
        _pipeline.Dispose();
        Directory.Delete(_bundle.Directory, true);
    }

    [Fact]
    public async Task VideoWithAudioIsScoredByBothBranchesAndFused()
    {
        var result = await _pipeline.ScoreAsync(media.P("both.mp4"), _bundle);

        Assert.True(result.HasAudio);
        Assert.True(result.HasVideo);
        Assert.Equal("reference-tiny", result.BundleName);
        Assert.Equal(_bundle.Version, result.BundleVersion);
        Assert.False(result.BundleTrained);
        Assert.Equal(OnnxModel.CpuProvider, result.ExecutionProvider);
        Assert.Equal("cpu", result.Device);
        Assert.Equal(8, result.Windows.Count);
        for (var k = 0; k < result.Windows.Count; k++)
        {
            var w = result.Windows[k];
            Assert.Equal(k, w.StartSeconds, 6);
            Assert.Equal(k + 1, w.EndSeconds, 6);
            Assert.NotNull(w.AudioEmi);
            Assert.NotNull(w.VisualEmi);
            Assert.NotNull(w.Vad);
            Assert.All(w.Emi.Concat(w.Vad!), v => Assert.InRange(v, 0f, 1f));
            // Fusion weights 0.5 / 0.5, normalised over the two branches present.
            for (var e = 0; e < 6; e++)
            {
                Assert.Equal((w.AudioEmi![e] + w.VisualEmi![e]) / 2, w.Emi[e], 5);
            }
        }

        Assert.NotNull(result.Aggregate);
        for (var e = 0; e < 6; e++)
        {
            Assert.Equal(result.Windows.Average(w => w.Emi[e]), result.Aggregate!.Emi[e], 5);
        }
    }

    [Fact]
    public async Task AudioOnlyRecordingIsScoredByTheAudioBranch()
    {
        var result = await _pipeline.ScoreAsync(media.P("speech.wav"), _bundle);

        Assert.True(result.HasAudio);
        Assert.False(result.HasVideo);
        Assert.NotEmpty(result.Windows);
        Assert.All(result.Windows, w =>
        {
            Assert.Null(w.VisualEmi);
            Assert.NotNull(w.Vad);
            Assert.Equal(w.AudioEmi, w.Emi);
        });
    }

    [Fact]
    public async Task VideoOnlyRecordingIsScoredByTheVisualBranch()
    {
        var result = await _pipeline.ScoreAsync(media.P("video-only.mp4"), _bundle);

        Assert.False(result.HasAudio);
        Assert.True(result.HasVideo);
        Assert.Equal(6, result.Windows.Count);
        Assert.All(result.Windows, w =>
        {
            Assert.Null(w.AudioEmi);
            Assert.Null(w.Vad);
            Assert.Equal(w.VisualEmi, w.Emi);
        });
    }

    [Fact]
    public async Task LongAudioIsCutIntoOverlappingSegmentsWithoutGapsAndBatchingDoesNotChangeIt()
    {
        var single = await _pipeline.ScoreAsync(media.P("audio-30s.mp3"), _bundle);
        var batched = await _pipeline.ScoreAsync(media.P("audio-30s.mp3"), _bundle, new ScoringOptions { BatchSize = 3 });

        // 30 s = segments [0,12) [11,23) [22,30): every 1 s window has predictions, including the seams.
        Assert.Equal(30, single.Windows.Count);
        Assert.Equal(Enumerable.Range(0, 30).Select(k => (double)k), single.Windows.Select(w => w.StartSeconds));
        for (var k = 0; k < 30; k++)
        {
            for (var e = 0; e < 6; e++)
            {
                Assert.Equal(single.Windows[k].Emi[e], batched.Windows[k].Emi[e], 4);
            }
        }
    }

    [Fact]
    public async Task RecordingsScoredTogetherShareBatchesOfEqualLengthSegmentsWithoutChangingTheirNumbers()
    {
        var alone = await _pipeline.ScoreAsync(media.P("audio-30s.mp3"), _bundle);
        using var batching = new ScoringPipeline(TestEnvironment.Cpu, segmentsPerCall: 6);
        Assert.Equal(6, batching.SegmentsPerCall);

        var together = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => batching.ScoreAsync(media.P("audio-30s.mp3"), _bundle)));

        // 3 recordings x 3 audio segments (two of 12 s, one of 8 s): fewer calls than segments means batches
        // were shared, and since a call takes at most 6, at least two calls ran.
        var (calls, segments) = batching.BatchCounts(_bundle).Audio;
        Assert.Equal(9, segments);
        Assert.InRange(calls, 2, 8);
        foreach (var result in together)
        {
            Assert.Equal(alone.Windows.Count, result.Windows.Count);
            for (var k = 0; k < alone.Windows.Count; k++)
            {
                for (var e = 0; e < 6; e++)
                {
                    Assert.Equal(alone.Windows[k].Emi[e], result.Windows[k].Emi[e], 4);
                }
            }
        }
    }

    [Fact]
    public async Task SameFileAndBundleGiveIdenticalNumbers()
    {
        var first = await _pipeline.ScoreAsync(media.P("both.mp4"), _bundle);
        using var fresh = new ScoringPipeline(TestEnvironment.Cpu);
        var second = await fresh.ScoreAsync(media.P("both.mp4"), _bundle);

        Assert.Equal(first.Windows.Count, second.Windows.Count);
        for (var k = 0; k < first.Windows.Count; k++)
        {
            Assert.Equal(first.Windows[k].Emi, second.Windows[k].Emi);
            Assert.Equal(first.Windows[k].Vad, second.Windows[k].Vad);
        }
    }

    [Theory]
    [InlineData("both.mp4")]
    [InlineData("speech.wav")]
    [InlineData("rotated.mp4")]
    [InlineData("vfr.mp4")]
    public async Task AStoredProbeReadsBackAsTheProbeAndScoresTheSame(string file)
    {
        var probed = await MediaProbe.ProbeAsync(media.P(file), MediaTools.FromEnvironment(), CancellationToken.None);

        var stored = StoredMediaInfo.Serialize(probed);
        Assert.DoesNotContain(file, stored, StringComparison.Ordinal);
        var restored = StoredMediaInfo.Deserialize(stored, probed.Path);
        Assert.Equal(probed, restored);

        var direct = await _pipeline.ScoreAsync(media.P(file), _bundle);
        var fromStored = await _pipeline.ScoreAsync(restored!, _bundle);
        Assert.Equal(direct.Windows.Count, fromStored.Windows.Count);
        for (var k = 0; k < direct.Windows.Count; k++)
        {
            Assert.Equal(direct.Windows[k].Emi, fromStored.Windows[k].Emi);
            Assert.Equal(direct.Windows[k].Vad, fromStored.Windows[k].Vad);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("{\"formatName\": 3")]
    [InlineData("[1, 2]")]
    [InlineData("{}")]
    public void AMissingOrUnreadableStoredProbeMeansProbeAgain(string? json) =>
        Assert.Null(StoredMediaInfo.Deserialize(json, "recording.mp4"));

    [Fact]
    public async Task WindowAndHopAreConfigurable()
    {
        var result = await _pipeline.ScoreAsync(media.P("video-only.mp4"), _bundle, new ScoringOptions
        {
            Window = TimeSpan.FromSeconds(2),
            Hop = TimeSpan.FromSeconds(0.5),
        });

        // Starts 0, 0.5, ..., 5.5 (a window starting at or after the end describes nothing).
        Assert.Equal(12, result.Windows.Count);
        Assert.Equal(0.5, result.Windows[1].StartSeconds, 6);
        Assert.Equal(2.5, result.Windows[1].EndSeconds, 6);
        Assert.Equal(6.0, result.Windows[^1].EndSeconds, 6);
    }

    [Fact]
    public async Task VariableFrameRateVideoIsSampledOnItsTimestamps()
    {
        var info = await MediaProbe.ProbeAsync(media.P("vfr.mp4"), MediaTools.FromEnvironment(), CancellationToken.None);
        Assert.True(info.Video!.LooksVariableFrameRate, $"avg {info.Video.AverageFrameRate} vs nominal {info.Video.NominalFrameRate}");

        // 50 frames over the first 2 s and 40 frames over the next 8 s: 10 s at 5 fps is 50 model frames.
        await using var decoder = VideoDecoder.Start(info, new CoverCropFrames(8, 8, [0.5f, 0.5f, 0.5f], [0.5f, 0.5f, 0.5f]), 5.0, MediaTools.FromEnvironment(), CancellationToken.None);
        var buffer = new float[200 * 8 * 8 * 3];
        var frames = await decoder.ReadAsync(buffer, 0, 200, CancellationToken.None);
        await decoder.CompleteAsync(CancellationToken.None);
        Assert.InRange(frames, 49, 51);
        Assert.InRange(info.Duration, 9.8, 10.3);

        var result = await _pipeline.ScoreAsync(media.P("vfr.mp4"), _bundle);
        Assert.Equal(10, result.Windows.Count);
        Assert.All(result.Windows, w => Assert.NotNull(w.VisualEmi));
    }

    [Fact]
    public async Task RotatedVideoIsDecodedUpright()
    {
        var tools = MediaTools.FromEnvironment();
        var upright = await MediaProbe.ProbeAsync(media.P("upright.mp4"), tools, CancellationToken.None);
        var rotated = await MediaProbe.ProbeAsync(media.P("rotated.mp4"), tools, CancellationToken.None);
        Assert.Equal(0, upright.Video!.Rotation);
        Assert.NotEqual(0, rotated.Video!.Rotation);

        // Upright: red left, blue right. Displayed with a quarter turn, the halves are top and bottom.
        var (uLeft, uRight, uTop, uBottom) = await RedMinusBlue(upright, tools);
        Assert.True(uLeft > 0.5 && uRight < -0.5, $"upright left {uLeft}, right {uRight}");
        var (rLeft, rRight, rTop, rBottom) = await RedMinusBlue(rotated, tools);
        Assert.True(Math.Abs(rLeft - rRight) < 0.2, $"rotated left {rLeft}, right {rRight}");
        Assert.True(Math.Abs(rTop - rBottom) > 1.0, $"rotated top {rTop}, bottom {rBottom}");

        var result = await _pipeline.ScoreAsync(media.P("rotated.mp4"), _bundle);
        Assert.Equal(3, result.Windows.Count);
    }

    // Mean (red - blue) over the left, right, top and bottom quarter of the first decoded frame, in [−1, 1].
    private static async Task<(double Left, double Right, double Top, double Bottom)> RedMinusBlue(MediaInfo info, MediaTools tools)
    {
        const int size = 32;
        await using var decoder = VideoDecoder.Start(info, new CoverCropFrames(size, size, [0f, 0f, 0f], [1f, 1f, 1f]), 5.0, tools, CancellationToken.None);
        var frame = new float[3 * size * size];
        Assert.Equal(1, await decoder.ReadAsync(frame, 0, 1, CancellationToken.None));
        double Region(Func<int, int, bool> inside)
        {
            double sum = 0;
            var n = 0;
            for (var y = 0; y < size; y++)
            {
                for (var x = 0; x < size; x++)
                {
                    if (inside(y, x))
                    {
                        sum += frame[(y * size) + x] - frame[(2 * size * size) + (y * size) + x];
                        n++;
                    }
                }
            }

            return sum / n;
        }

        return (
            Region((_, x) => x < size / 4),
            Region((_, x) => x >= size * 3 / 4),
            Region((y, _) => y < size / 4),
            Region((y, _) => y >= size * 3 / 4));
    }

    [Theory]
    [InlineData("empty.mp4", MediaErrorKind.Empty)]
    [InlineData("random.mp4", MediaErrorKind.Unreadable)]
    [InlineData("truncated-no-index.mp4", MediaErrorKind.Unreadable)]
    [InlineData("truncated.mp4", MediaErrorKind.Truncated)]
    [InlineData("does-not-exist.mp4", MediaErrorKind.NotFound)]
    public async Task BrokenInputGivesATypedError(string file, MediaErrorKind kind)
    {
        var error = await Assert.ThrowsAsync<MediaDecodeException>(() => _pipeline.ScoreAsync(media.P(file), _bundle));

        Assert.Equal(kind, error.Kind);
        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Empty(ChildProcesses.FfmpegChildren());
    }
}
