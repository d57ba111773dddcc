using EmiPlatform.Media;
using EmiPlatform.Testing.Media;

namespace EmiPlatform.Inference.Tests;

/// <summary>Each container docs/api.md lists is made with ffmpeg, probed, tail-checked and decoded through the restricted path.</summary>
[Collection(MediaCollection.Name)]
public sealed class AcceptedFormatTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emi-formats-").FullName;
    private readonly MediaTools _tools = MediaTools.FromEnvironment();

    public static TheoryData<string> Demuxers => [.. AcceptedFormats.Demuxers];

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Every_accepted_container_has_a_sample_and_exists_in_this_ffmpeg()
    {
        Assert.Equal(AcceptedFormats.Demuxers.Order(), AcceptedFormatSamples.All.Keys.Order());
        var listed = FfmpegCapabilities.Demuxers.SelectMany(d => d.Split(',')).ToHashSet(StringComparer.Ordinal);
        Assert.All(AcceptedFormats.Demuxers, d => Assert.Contains(d, listed));
    }

    [Theory]
    [MemberData(nameof(Demuxers))]
    public async Task An_accepted_container_is_probed_tail_checked_and_decoded(string demuxer)
    {
        var path = AcceptedFormatSamples.Make(demuxer, _folder);

        var info = await MediaProbe.ProbeAsync(path, _tools, CancellationToken.None);
        Assert.Equal(demuxer, AcceptedFormats.DemuxerOf(info.FormatName));
        Assert.NotNull(info.Audio);
        await MediaIntegrity.VerifyEndAsync(MediaSource.File(path), info, _tools, CancellationToken.None);

        await using var decoder = AudioDecoder.Start(info, 16000, _tools, CancellationToken.None);
        var samples = new float[16000 * 4];
        var read = await decoder.ReadAsync(samples, 0, samples.Length, CancellationToken.None);
        await decoder.CompleteAsync(CancellationToken.None);
        Assert.InRange(read, 16000 * 19 / 10, 16000 * 22 / 10);
        Assert.True(samples.Take(read).Max(Math.Abs) > 0.1f, "the tone decoded to silence");
    }
}
