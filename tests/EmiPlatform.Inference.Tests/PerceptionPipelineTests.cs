using System.Diagnostics;
using System.Globalization;
using EmiPlatform.Bundles;
using EmiPlatform.Inference.Columns;
using EmiPlatform.Inference.Faces;
using EmiPlatform.Inference.Onnx;
using EmiPlatform.Inference.Perception;
using EmiPlatform.Inference.Scoring;
using EmiPlatform.Results;
using EmiPlatform.Testing.Media;

namespace EmiPlatform.Inference.Tests;

/// <summary>
/// The reference bundle's pretrained stages through the whole scoring pipeline, read back by column name as every
/// writer reads them: a recording whose face smiles, then drops its jaw, then leaves, over espeak-ng speech followed by
/// silence. Each signal must move in the documented direction in the windows where the picture changed, and only there.
/// </summary>
public sealed class PerceptionPipelineTests(PerceptionFaces faces) : IClassFixture<PerceptionFaces>, IDisposable
{
    // Seconds of each part of the recording; windows are 1 s, so each part is whole windows.
    private const int Neutral = 3, Smile = 3, Jaw = 3, Away = 3;
    private const int FrameRate = 5;

    private readonly string _dir = Directory.CreateTempSubdirectory("emi-perception-pipeline-").FullName;
    private readonly ModelBundle _bundle = ModelBundle.Load(TestEnvironment.ReferenceBundle);
    private readonly ScoringPipeline _pipeline = new(TestEnvironment.Cpu);

    public void Dispose()
    {
        _pipeline.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Recording()
    {
        var speech = Path.Combine(_dir, "speech.wav");
        var espeak = Process.Start("espeak-ng", ["-w", speech, "this recording tests whether the perception stages hear a voice and see a face"])!;
        espeak.WaitForExit();
        Assert.Equal(0, espeak.ExitCode);
        var parts = new[] { ("astronaut", Neutral), ("smile", Smile), ("jaw", Jaw), ("faceless", Away) };
        var inputs = new List<string>();
        foreach (var (face, seconds) in parts)
        {
            inputs.AddRange(["-f", "rawvideo", "-pixel_format", "rgb24", "-video_size", "512x512", "-framerate", FrameRate.ToString(CultureInfo.InvariantCulture),
                "-stream_loop", ((seconds * FrameRate) - 1).ToString(CultureInfo.InvariantCulture), "-i", faces.FramePath(face)]);
        }

        var total = (Neutral + Smile + Jaw + Away).ToString(CultureInfo.InvariantCulture);
        return TestFfmpeg.Make(Path.Combine(_dir, "perception.mp4"), [.. inputs, "-i", speech,
            "-filter_complex", $"[0:v][1:v][2:v][3:v]concat=n=4:v=1:a=0,format=yuv420p[v];[4:a]apad=whole_dur={total}[a]",
            "-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-crf", "10", "-c:a", "aac", "-t", total]);
    }

    [Fact]
    public async Task Descriptors_expressions_and_speech_move_where_the_recording_changes_and_are_null_where_the_face_left()
    {
        var result = await _pipeline.ScoreAsync(Recording(), _bundle, new ScoringOptions());
        var columns = BundleColumnMap.For(result);
        float? Value(TimelineWindow w, string name) => (float?)columns.Value(ScoreColumns.Names.ToList().IndexOf(name), result, w);
        double Mean(int from, int count, string name) =>
            result.Windows.Skip(from).Take(count).Select(w => (double)(Value(w, name) ?? throw new Xunit.Sdk.XunitException($"{name} is null at {w.StartSeconds} s"))).Average();

        Assert.Equal(Neutral + Smile + Jaw + Away, result.Windows.Count);
        var pull = Mean(Neutral, Smile, "au12_lip_corner_pull") - Mean(0, Neutral, "au12_lip_corner_pull");
        Assert.True(pull > 0.05, $"au12_lip_corner_pull rose by {pull:0.000} when the mouth corners were pulled");
        var drop = Mean(Neutral + Smile, Jaw, "au26_jaw_drop") - Mean(0, Neutral, "au26_jaw_drop");
        Assert.True(drop > 0.05, $"au26_jaw_drop rose by {drop:0.000} when the jaw dropped");
        foreach (var brow in new[] { "au01_inner_brow_raise", "au02_outer_brow_raise", "au04_brow_lower" })
        {
            var moved = Math.Abs(Mean(Neutral, Smile + Jaw, brow) - Mean(0, Neutral, brow));
            Assert.True(moved < Math.Min(pull, drop) / 4, $"{brow} moved {moved:0.000} though the brows were pinned");
        }

        Assert.True(Mean(0, Neutral, "expr_happy") > 0.5, "the smiling astronaut is happy");
        Assert.InRange(Mean(0, Neutral, "face_confidence"), 0.5, 1.0);
        foreach (var away in result.Windows.Skip(Neutral + Smile + Jaw))
        {
            Assert.Equal(0f, Value(away, "face_coverage"));
            Assert.All(ScoreColumns.All.Where(c => c.Source is ScoreSource.Descriptor or ScoreSource.Expression or ScoreSource.FaceConfidence),
                c => Assert.Null(Value(away, c.Name)));
        }

        // espeak-ng talks for about four seconds, then the padding is silent.
        Assert.True(Value(result.Windows[1], "speech_coverage") > 0.7, "the voice is heard in the second window");
        Assert.All(result.Windows.Skip(Neutral + Smile + 1), w => Assert.True(Value(w, "speech_coverage") < 0.1, $"silence at {w.StartSeconds} s heard as speech"));
        Assert.InRange(result.Aggregate!.SpeechCoverage!.Value, 0.1, 0.6);
    }

    [Fact]
    public void Without_an_AU_model_the_descriptors_fill_the_AU_inputs_they_are_named_for()
    {
        var visual = _bundle.Visual!;
        Assert.Null(visual.Face!.ActionUnitModel);
        using var detector = OnnxModel.Open(_bundle.FaceDetectorPath!, TestEnvironment.Cpu);
        using var mesh = OnnxModel.Open(_bundle.LandmarkModelPath!, TestEnvironment.Cpu);
        using var expressions = OnnxModel.Open(_bundle.ExpressionModelPath!, TestEnvironment.Cpu);
        using var perceiver = new FacePerceiver(mesh, expressions);
        FacePerception? perceived = null;
        using var frames = new FaceCropFrames(detector, visual, perceiver: perceiver) { Perceived = (_, p) => perceived = p };
        frames.Shape(faces.Frame("smile"), new float[frames.FrameFloats]);

        Assert.True(frames.HasActionUnits);
        Assert.NotNull(perceived);
        var aus = new float[visual.ActionUnits];
        frames.FillActionUnits(0, aus);
        for (var i = 0; i < visual.ActionUnits; i++)
        {
            var descriptor = FacePerception.DescriptorColumns.ToList().FindIndex(d => d.StartsWith(visual.ActionUnitNames[i].ToLowerInvariant() + "_", StringComparison.Ordinal));
            Assert.Equal(descriptor < 0 ? 0f : perceived.Descriptors[descriptor], aus[i]);
        }

        Assert.Contains(aus, value => value != 0);
    }

    [Theory]
    [InlineData("facemesh.onnx")]
    [InlineData("emotion.onnx")]
    public void A_missing_or_modified_perception_model_is_refused_naming_the_file(string file)
    {
        var dir = TestEnvironment.ReferenceBundleCopy("perception-refused");
        try
        {
            File.AppendAllText(Path.Combine(dir, file), "x");
            Assert.Contains(file, Assert.Throws<ModelBundleException>(() => ModelBundle.Load(dir)).Message, StringComparison.Ordinal);
            File.Delete(Path.Combine(dir, file));
            Assert.Contains(file, Assert.Throws<ModelBundleException>(() => ModelBundle.Load(dir)).Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
