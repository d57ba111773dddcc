using EmiPlatform.Inference.Onnx;
using EmiPlatform.Media;

namespace EmiPlatform.Inference.Speech;

/// <summary>
/// A recording's speech probabilities, one per <see cref="SileroSpeechDetector.StepSeconds"/> step from time 0,
/// and the threshold at which a step counts as speech. A step belongs to a window when its centre lies in the
/// window, so each step counts in exactly one of a run of adjacent windows.
/// </summary>
internal sealed class SpeechTrack(float[] probabilities, double threshold, double stepSeconds = SileroSpeechDetector.StepSeconds)
{
    /// <summary>
    /// Runs the speech stage over a recording's audio: its own 16 kHz decode of the stream (audio decoding is cheap
    /// beside the branch's inference, and the track is then whole before the branch's steps are masked by it).
    /// </summary>
    public static async Task<SpeechTrack> DetectAsync(MediaInfo media, OnnxModel model, double threshold, MediaTools tools, CancellationToken cancellationToken)
    {
        await using var decoder = AudioDecoder.Start(media, SileroSpeechDetector.SampleRate, tools, cancellationToken);
        using var detector = new SileroSpeechDetector(model);
        var probabilities = new List<float>();
        var buffer = new float[16 * SileroSpeechDetector.StepSamples];
        int read;
        while ((read = await decoder.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false)) > 0)
        {
            detector.Push(buffer.AsSpan(0, read), probabilities, cancellationToken);
        }

        await decoder.CompleteAsync(cancellationToken).ConfigureAwait(false);
        detector.Flush(probabilities, cancellationToken);
        return new SpeechTrack([.. probabilities], threshold);
    }

    public IReadOnlyList<float> Probabilities => probabilities;

    public double Threshold => threshold;

    public double StepSeconds => stepSeconds;

    /// <summary>Whether step <paramref name="step"/> counts as speech (p ≥ threshold).</summary>
    public bool IsSpeech(int step) => probabilities[step] >= threshold;

    /// <summary>Whether the step that holds the instant <paramref name="seconds"/> is speech; false past the end.</summary>
    public bool IsSpeechAt(double seconds)
    {
        var step = (int)Math.Floor(seconds / stepSeconds);
        return step >= 0 && step < probabilities.Length && IsSpeech(step);
    }

    /// <summary>
    /// <c>speech_coverage</c> of the window [<paramref name="start"/>, <paramref name="end"/>) seconds: the fraction
    /// of its steps with p ≥ threshold; null when no step's centre falls in it (a window past the end of the audio).
    /// </summary>
    public double? Coverage(double start, double end)
    {
        // Step i's centre (i + 0.5) * step lies in [start, end) for i in [first, last).
        var first = Math.Max(0, (int)Math.Ceiling((start / stepSeconds) - 0.5));
        var last = Math.Min(probabilities.Length, (int)Math.Ceiling((end / stepSeconds) - 0.5));
        if (last <= first)
        {
            return null;
        }

        var speech = 0;
        for (var i = first; i < last; i++)
        {
            if (probabilities[i] >= threshold)
            {
                speech++;
            }
        }

        return speech / (double)(last - first);
    }

    /// <summary>The recording's <c>speech_coverage</c>: speech steps ÷ all steps; null without any step.</summary>
    public double? Overall() => Coverage(0, probabilities.Length * stepSeconds);
}
