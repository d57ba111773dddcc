using System.Globalization;
using System.Text.Json.Nodes;
using EmiPlatform.Bundles;
using EmiPlatform.Inference.Onnx;
using EmiPlatform.Inference.Speech;
using EmiPlatform.Media;
using EmiPlatform.Testing.Media;

namespace EmiPlatform.Inference.Tests;

/// <summary>
/// The speech stage with the real Silero VAD v5 graph (fetched by infra/fetch-speech-model.sh) on espeak-ng speech
/// made here and decoded by the engine's own audio decoder, and the manifest's speech section.
/// </summary>
public sealed class SpeechTests : IDisposable
{
    private const string ModelFile = "silero_vad_v5.onnx";
    private const string ModelSha256 = "2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f";
    private const double SilenceSeconds = 5;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "emi-speech-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly OnnxModel _model;

    public SpeechTests()
    {
        var path = Path.Combine(TestEnvironment.ReferenceBundle, ModelFile);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: run infra/fetch-speech-model.sh (make models).");
        }

        _model = OnnxModel.Open(path, TestEnvironment.Cpu);
        Directory.CreateDirectory(_dir);
    }

    /// <summary>One sentence without punctuation (espeak-ng pauses at commas and full stops), then silence, as AAC.</summary>
    private async Task<(string File, double SpeechSeconds)> SpeechThenSilenceAsync()
    {
        var wav = Path.Combine(_dir, "speech.wav");
        MediaFixture.Run("espeak-ng", "-w", wav, "this recording tests whether the speech detector hears a synthetic voice that keeps on talking for several seconds without a break");
        var speech = await MediaProbe.ProbeAsync(wav, MediaTools.FromEnvironment(), CancellationToken.None);
        var file = TestFfmpeg.Make(Path.Combine(_dir, "speech-then-silence.m4a"),
            "-i", wav, "-af", $"apad=pad_dur={SilenceSeconds.ToString(CultureInfo.InvariantCulture)}", "-c:a", "aac");
        return (file, speech.Duration);
    }

    /// <summary>The recording's 16 kHz stream as the audio branch decodes it, fed to the detector in decoder-sized chunks.</summary>
    private async Task<float[]> DetectAsync(string file)
    {
        var info = await MediaProbe.ProbeAsync(file, MediaTools.FromEnvironment(), CancellationToken.None);
        await using var decoder = AudioDecoder.Start(info, SileroSpeechDetector.SampleRate, MediaTools.FromEnvironment(), CancellationToken.None);
        using var detector = new SileroSpeechDetector(_model);
        var probabilities = new List<float>();
        // Not a multiple of 512: steps straddle reads.
        var buffer = new float[3000];
        int read;
        while ((read = await decoder.ReadAsync(buffer, 0, buffer.Length, CancellationToken.None)) > 0)
        {
            detector.Push(buffer.AsSpan(0, read), probabilities);
        }

        await decoder.CompleteAsync(CancellationToken.None);
        detector.Flush(probabilities);
        return [.. probabilities];
    }

    [Fact]
    public async Task Speech_followed_by_silence_gives_coverage_near_one_then_near_zero()
    {
        var (file, speechSeconds) = await SpeechThenSilenceAsync();
        var probabilities = await DetectAsync(file);
        var total = speechSeconds + SilenceSeconds;
        Assert.InRange(probabilities.Length, (int)(total / SileroSpeechDetector.StepSeconds) - 2, (int)(total / SileroSpeechDetector.StepSeconds) + 3);

        var track = new SpeechTrack(probabilities, threshold: 0.5);
        var speechWindows = new List<double>();
        var silenceWindows = new List<double>();
        for (var start = 0.0; start + 1 <= total; start += 1)
        {
            var coverage = track.Coverage(start, start + 1) ?? throw new InvalidOperationException($"no steps in [{start}, {start + 1})");
            // espeak-ng's wav ends with a short silence of its own, and the detector's state lingers a few steps.
            if (start + 1 <= speechSeconds - 0.3)
            {
                speechWindows.Add(coverage);
            }
            else if (start >= speechSeconds + 0.3)
            {
                silenceWindows.Add(coverage);
            }
        }

        Assert.True(speechWindows.Count >= 4, $"{speechWindows.Count} windows of speech in {speechSeconds:0.0} s");
        Assert.True(silenceWindows.Count >= 3, $"{silenceWindows.Count} windows of silence");
        var seen = $"speech {speechSeconds:0.00} s; coverage in speech [{string.Join(", ", speechWindows.Select(c => c.ToString("0.00", CultureInfo.InvariantCulture)))}], in silence [{string.Join(", ", silenceWindows.Select(c => c.ToString("0.00", CultureInfo.InvariantCulture)))}]";
        Assert.True(speechWindows.All(c => c >= 0.75) && speechWindows.Average() >= 0.9, seen);
        Assert.True(silenceWindows.All(c => c <= 0.05), seen);
        Assert.InRange(track.Overall()!.Value, 0.8 * (speechSeconds - 0.3) / total, (speechSeconds + 0.3) / total);
        Assert.Null(track.Coverage(total + 1, total + 2));
    }

    [Fact]
    public async Task A_stream_fed_in_chunks_gives_the_same_probabilities_as_fed_whole()
    {
        var (file, _) = await SpeechThenSilenceAsync();
        var info = await MediaProbe.ProbeAsync(file, MediaTools.FromEnvironment(), CancellationToken.None);
        var samples = new List<float>();
        await using (var decoder = AudioDecoder.Start(info, SileroSpeechDetector.SampleRate, MediaTools.FromEnvironment(), CancellationToken.None))
        {
            var buffer = new float[8192];
            int read;
            while ((read = await decoder.ReadAsync(buffer, 0, buffer.Length, CancellationToken.None)) > 0)
            {
                samples.AddRange(buffer.AsSpan(0, read));
            }

            await decoder.CompleteAsync(CancellationToken.None);
        }

        var stream = samples.ToArray();
        using var detector = new SileroSpeechDetector(_model);
        var whole = detector.Detect(stream);
        Assert.Equal(SileroSpeechDetector.Steps(stream.Length), whole.Length);

        var chunked = new List<float>();
        var random = new Random(22);
        for (var offset = 0; offset < stream.Length;)
        {
            var length = Math.Min(random.Next(1, 1500), stream.Length - offset);
            detector.Push(stream.AsSpan(offset, length), chunked);
            offset += length;
        }

        detector.Flush(chunked);
        Assert.Equal(whole, chunked.ToArray());

        // Flush resets: the same stream again gives the same answer, not one coloured by the previous stream's state.
        Assert.Equal(whole, detector.Detect(stream));
    }

    [Fact]
    public void Coverage_counts_each_step_in_the_window_that_holds_its_centre()
    {
        // 32 ms steps: centres (i + 0.5) * 0.032 s, so steps 0-30 lie in window [0, 1) and 31-61 in [1, 2).
        var probabilities = new float[63];
        for (var i = 0; i < 16; i++)
        {
            probabilities[i] = 0.9f;
        }

        probabilities[30] = 0.49f;
        probabilities[31] = 0.5f;
        var track = new SpeechTrack(probabilities, threshold: 0.5);
        Assert.Equal(16 / 31.0, track.Coverage(0, 1)!.Value, 12);
        Assert.Equal(1 / 31.0, track.Coverage(1, 2)!.Value, 12);
        Assert.Equal(17 / 63.0, track.Overall()!.Value, 12);
        Assert.True(track.IsSpeechAt(0.5));
        Assert.False(track.IsSpeechAt(0.52));
        Assert.False(track.IsSpeechAt(0.97));
        Assert.True(track.IsSpeechAt(1.0));
        Assert.False(track.IsSpeechAt(5));
    }

    private static string BundleWithSpeech(Action<JsonObject> edit)
    {
        var dir = TestEnvironment.ReferenceBundleCopy("speech");
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")))!;
        var speech = new JsonObject
        {
            ["file"] = ModelFile,
            ["sha256"] = ModelSha256,
            ["source"] = "npm @ricky0123/vad-web 0.0.31, package/dist/silero_vad_v5.onnx (Silero VAD v5)",
            ["licence"] = "MIT (Silero Team; model); ISC (npm package)",
        };
        edit(speech);
        manifest["audio"]!["speech"] = speech;
        File.WriteAllText(Path.Combine(dir, "manifest.json"), manifest.ToJsonString());
        return dir;
    }

    [Fact]
    public void A_speech_section_is_read_with_keep_and_threshold_one_half_by_default()
    {
        var dir = BundleWithSpeech(_ => { });
        try
        {
            var bundle = ModelBundle.Load(dir);
            var speech = Assert.IsType<SpeechStage>(bundle.Audio!.Speech);
            Assert.Equal(SpeechStage.Keep, speech.Mask);
            Assert.Equal(0.5, speech.Threshold);
            Assert.Equal(Path.Combine(bundle.Directory, ModelFile), bundle.SpeechModelPath);

            var drop = ModelBundle.Load(BundleWithSpeechInto(dir, s => { s["mask"] = "drop"; s["threshold"] = 0.3; }));
            Assert.Equal(SpeechStage.Drop, drop.Audio!.Speech!.Mask);
            Assert.Equal(0.3, drop.Audio.Speech.Threshold);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_speech_model_that_is_missing_is_refused_naming_the_file()
    {
        var dir = BundleWithSpeech(s => s["file"] = "silero_vad_v6.onnx");
        try
        {
            var error = Assert.Throws<ModelBundleException>(() => ModelBundle.Load(dir));
            Assert.Contains("silero_vad_v6.onnx", error.Message, StringComparison.Ordinal);
            Assert.Contains("not in", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_speech_model_whose_hash_differs_is_refused_naming_the_file()
    {
        var dir = BundleWithSpeech(_ => { });
        try
        {
            File.AppendAllText(Path.Combine(dir, ModelFile), "x");
            var error = Assert.Throws<ModelBundleException>(() => ModelBundle.Load(dir));
            Assert.Contains(ModelFile, error.Message, StringComparison.Ordinal);
            Assert.Contains("sha256", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("mask", "silence", "audio.speech.mask")]
    [InlineData("threshold", "1.5", "audio.speech.threshold")]
    [InlineData("window", "1", "window")]
    public void A_speech_section_with_a_value_the_engine_cannot_use_is_refused(string field, string value, string named)
    {
        var dir = BundleWithSpeech(s => s[field] = double.TryParse(value, CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number) : JsonValue.Create(value));
        try
        {
            var error = Assert.Throws<ModelBundleException>(() => ModelBundle.Load(dir));
            Assert.Contains(named, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>Rewrites the speech section of the bundle in <paramref name="dir"/> in place.</summary>
    private static string BundleWithSpeechInto(string dir, Action<JsonObject> edit)
    {
        var path = Path.Combine(dir, "manifest.json");
        var manifest = JsonNode.Parse(File.ReadAllText(path))!;
        edit(manifest["audio"]!["speech"]!.AsObject());
        File.WriteAllText(path, manifest.ToJsonString());
        return dir;
    }

    public void Dispose()
    {
        _model.Dispose();
        Directory.Delete(_dir, true);
    }
}
