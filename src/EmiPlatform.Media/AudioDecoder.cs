using System.Runtime.InteropServices;

namespace EmiPlatform.Media;

/// <summary>The first audio stream as mono float32 PCM at the model's sample rate, resampled by ffmpeg.</summary>
internal sealed class AudioDecoder : FfmpegDecoder
{
    private AudioDecoder(FfmpegProcess process, string fileName, int sampleRate, double expectedSeconds)
        : base(process, fileName, sizeof(float), 1, sampleRate, expectedSeconds)
    {
    }

    public static AudioDecoder Start(MediaInfo media, int sampleRate, MediaTools tools, CancellationToken cancellationToken)
    {
        var audio = media.Audio ?? throw new InvalidOperationException("The recording has no audio stream.");
        var process = StartProcess(
            media,
            [
                "-map", $"0:{audio.Index}", "-vn", "-sn", "-dn",
                "-ac", "1", "-ar", Invariant(sampleRate),
                "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1",
            ],
            tools,
            cancellationToken);
        return new AudioDecoder(process, Path.GetFileName(media.Path), sampleRate, DeclaredSeconds(media, audio.Duration));
    }

    protected override void Convert(ReadOnlySpan<byte> source, Span<float> destination) =>
        MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
}
