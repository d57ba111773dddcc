using EmiPlatform.Bundles;
using EmiPlatform.Inference.Scoring;
using EmiPlatform.Media;
using EmiPlatform.Testing.Media;

namespace EmiPlatform.Inference.Tests;

/// <summary>
/// Each stream is held to the length it declares itself, not to the container's: a track that ends early (a lab
/// recorder's microphone stopping before its camera) is a valid recording, and one cut short of its own length is not.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class TrackLengthTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emi-tracks-").FullName;
    private readonly MediaTools _tools = MediaTools.FromEnvironment();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_lab_mkv_whose_audio_ends_before_its_video_decodes_each_track_to_the_length_it_declares()
    {
        var path = LabMedia.AudioEndsEarlyMkv(_folder);

        var info = await MediaProbe.ProbeAsync(path, _tools, CancellationToken.None);
        Assert.Equal("matroska", AcceptedFormats.DemuxerOf(info.FormatName));
        Assert.InRange(info.Audio!.Duration!.Value, LabMedia.AudioSeconds - 0.1, LabMedia.AudioSeconds + 0.1);
        Assert.InRange(info.Video!.Duration!.Value, LabMedia.VideoSeconds - 0.1, LabMedia.VideoSeconds + 0.1);
        await MediaIntegrity.VerifyEndAsync(MediaSource.File(path), info, _tools, CancellationToken.None);

        Assert.InRange(await DecodeAudioAsync(info), LabMedia.AudioSeconds - 0.1, LabMedia.AudioSeconds + 0.1);
        Assert.InRange(await DecodeVideoAsync(info), LabMedia.VideoSeconds - 0.3, LabMedia.VideoSeconds + 0.3);
    }

    [Fact]
    public async Task A_lab_mkv_whose_audio_ends_early_is_scored_by_both_branches()
    {
        var path = LabMedia.AudioEndsEarlyMkv(_folder);
        using var pipeline = new ScoringPipeline(TestEnvironment.Cpu);
        var bundle = ModelBundle.Load(TestEnvironment.ReferenceBundleWithoutFace());
        try
        {
            var result = await pipeline.ScoreAsync(path, bundle);
            Assert.True(result.HasAudio);
            Assert.True(result.HasVideo);
            Assert.NotEmpty(result.Windows);
        }
        finally
        {
            Directory.Delete(bundle.Directory, true);
        }
    }

    [Fact]
    public async Task A_lab_mkv_cut_short_is_still_refused_as_truncated_by_the_length_each_track_declares()
    {
        var whole = await File.ReadAllBytesAsync(LabMedia.AudioEndsEarlyMkv(_folder));
        var path = Path.Combine(_folder, "cut.mkv");
        await File.WriteAllBytesAsync(path, whole[..(whole.Length * 4 / 10)]);
        var info = await MediaProbe.ProbeAsync(path, _tools, CancellationToken.None);

        var audio = await Assert.ThrowsAsync<MediaDecodeException>(() => DecodeAudioAsync(info));
        Assert.Equal(MediaErrorKind.Truncated, audio.Kind);
        var video = await Assert.ThrowsAsync<MediaDecodeException>(() => DecodeVideoAsync(info));
        Assert.Equal(MediaErrorKind.Truncated, video.Kind);
    }

    private async Task<double> DecodeAudioAsync(MediaInfo info)
    {
        await using var decoder = AudioDecoder.Start(info, 16000, _tools, CancellationToken.None);
        return await DrainAsync(decoder, new float[16000]) / 16000.0;
    }

    private async Task<double> DecodeVideoAsync(MediaInfo info)
    {
        await using var decoder = VideoDecoder.Start(info, new CoverCropFrames(8, 8, [0f, 0f, 0f], [1f, 1f, 1f]), 5, _tools, CancellationToken.None);
        return await DrainAsync(decoder, new float[8 * 8 * 3 * 50]) / 5.0;
    }

    private static async Task<long> DrainAsync(FfmpegDecoder decoder, float[] buffer)
    {
        var units = buffer.Length / decoder.UnitFloats;
        while (await decoder.ReadAsync(buffer, 0, units, CancellationToken.None) > 0)
        {
        }
        await decoder.CompleteAsync(CancellationToken.None);
        return decoder.UnitsRead;
    }
}
