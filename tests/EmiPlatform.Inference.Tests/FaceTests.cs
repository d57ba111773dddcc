using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using EmiPlatform.Bundles;
using EmiPlatform.Inference.Faces;
using EmiPlatform.Inference.Onnx;
using EmiPlatform.Inference.Scoring;
using EmiPlatform.Media;

namespace EmiPlatform.Inference.Tests;

/// <summary>The face stage on real photos and generated video, with the reference bundle's BlazeFace detector.</summary>
[Collection(MediaCollection.Name)]
public sealed class FaceTests(MediaFixture media) : IDisposable
{
    private readonly ModelBundle _bundle = ModelBundle.Load(TestEnvironment.ReferenceBundle);
    private readonly ScoringPipeline _pipeline = new(TestEnvironment.Cpu);

    private VisualBranch Visual => _bundle.Visual!;

    /// <summary>Tracked boxes (null: no face) of every frame, as the visual branch decodes them.</summary>
    private async Task<List<FaceBox?>> TrackAsync(string file)
    {
        var info = await MediaProbe.ProbeAsync(file, MediaTools.FromEnvironment(), CancellationToken.None);
        using var detector = OnnxModel.Open(_bundle.FaceDetectorPath!, TestEnvironment.Cpu);
        var boxes = new List<FaceBox?>();
        using var frames = new FaceCropFrames(detector, Visual) { Tracked = (i, b) => boxes.Add(b) };
        await using var decoder = VideoDecoder.Start(info, frames, Visual.FrameRate, MediaTools.FromEnvironment(), CancellationToken.None);
        var buffer = new float[16 * frames.FrameFloats];
        while (await decoder.ReadAsync(buffer, 0, 16, CancellationToken.None) > 0)
        {
        }

        await decoder.CompleteAsync(CancellationToken.None);
        return boxes;
    }

    [Fact]
    public async Task Detector_finds_the_astronauts_face_where_it_was_checked_by_hand()
    {
        // Checked by eye on the 512x512 photo: the face (brows to chin, cheek to cheek) spans about x 175-275 and
        // y 75-180 pixels.
        var boxes = await TrackAsync(media.P("astronaut.mp4"));
        Assert.NotEmpty(boxes);
        foreach (var box in boxes)
        {
            var b = Assert.NotNull(box);
            Assert.InRange(b.CenterX, 225 / 512.0 - 0.03, 225 / 512.0 + 0.03);
            Assert.InRange(b.CenterY, 127 / 512.0 - 0.03, 127 / 512.0 + 0.03);
            Assert.InRange(b.Width, 100 / 512.0 - 0.04, 100 / 512.0 + 0.04);
            Assert.InRange(b.Height, 105 / 512.0 - 0.04, 105 / 512.0 + 0.04);
            Assert.True(b.Score > 0.8, $"score {b.Score}");
        }
    }

    [Fact]
    public async Task Track_follows_a_moving_face_loses_it_when_it_leaves_and_takes_it_again_when_it_returns()
    {
        var boxes = await TrackAsync(media.P("face-moves.mp4"));
        var rate = Visual.FrameRate;
        Assert.InRange(boxes.Count, (int)(9 * rate) - 1, (int)(9 * rate) + 1);
        // 640x360 letterboxed into 512: scale 0.8, 112 px of black above. The photo's face centre is at (0.44, 0.248) of it.
        const double scale = 512 / 640.0;
        const double padTop = (512 - (360 * scale)) / 2;
        for (var i = 0; i < boxes.Count; i++)
        {
            var t = i / rate;
            var inPicture = t < MediaFixture.FaceLeaves || t >= MediaFixture.FaceReturns;
            // ffmpeg's fps filter may take the frame next to the scheduled one: the frames at either side of a
            // change may show either picture.
            if (Math.Abs(t - MediaFixture.FaceLeaves) < 1.5 / rate || Math.Abs(t - MediaFixture.FaceReturns) < 1.5 / rate)
            {
                continue;
            }

            if (!inPicture)
            {
                Assert.True(boxes[i] is null, $"frame {i} ({t:0.0} s): a face was tracked while none is in the picture");
                continue;
            }

            var b = Assert.NotNull(boxes[i]);
            var x = MediaFixture.FaceX0 + (MediaFixture.FaceSpeed * t) + (0.44 * MediaFixture.FaceSide);
            var y = MediaFixture.FaceY + (0.248 * MediaFixture.FaceSide);
            // The smoothed box trails the moving face by about one frame's movement.
            Assert.InRange(b.CenterX, (x * scale / 512) - 0.03, (x * scale / 512) + 0.03);
            Assert.InRange(b.CenterY, ((padTop + (y * scale)) / 512) - 0.03, ((padTop + (y * scale)) / 512) + 0.03);
        }
    }

    [Fact]
    public async Task Windows_carry_face_coverage_and_fuse_the_visual_branch_only_where_the_face_was_seen()
    {
        var result = await _pipeline.ScoreAsync(media.P("face-moves.mp4"), _bundle, new ScoringOptions());
        Assert.True(result.HasVideo && result.HasAudio);
        var rate = Visual.FrameRate;
        foreach (var w in result.Windows)
        {
            // Frames of the window in the picture, from the schedule the video was made with.
            var frames = Enumerable.Range(0, 1000).Select(i => i / rate).Where(t => t >= w.StartSeconds && t < w.StartSeconds + 1 && t < 9).ToList();
            var expected = frames.Count(t => t < MediaFixture.FaceLeaves || t >= MediaFixture.FaceReturns) / (double)frames.Count;
            var coverage = Assert.NotNull(w.FaceCoverage);
            // One frame either way at a change (see the track test).
            Assert.InRange(coverage, expected - (1.0 / frames.Count) - 1e-6, expected + (1.0 / frames.Count) + 1e-6);
            if (coverage == 0)
            {
                Assert.Null(w.VisualEmi);
                Assert.Equal(w.AudioEmi!, w.Emi);
            }
            else
            {
                Assert.NotNull(w.VisualEmi);
            }
        }

        Assert.Contains(result.Windows, w => w.FaceCoverage == 0);
        Assert.Contains(result.Windows, w => w.FaceCoverage == 1);
        var overall = Assert.NotNull(result.Aggregate!.FaceCoverage);
        Assert.InRange(overall, (7.0 / 9) - 0.03, (7.0 / 9) + 0.03);
    }

    [Fact]
    public async Task Without_a_face_the_visual_branch_gives_nothing_and_the_audio_branch_carries_the_timeline()
    {
        var result = await _pipeline.ScoreAsync(media.P("no-face.mp4"), _bundle, new ScoringOptions());
        Assert.NotEmpty(result.Windows);
        Assert.All(result.Windows, w =>
        {
            Assert.Equal(0, w.FaceCoverage);
            Assert.Null(w.VisualEmi);
            Assert.Equal(w.AudioEmi!, w.Emi);
        });
        Assert.Equal(0, result.Aggregate!.FaceCoverage);
    }

    [Fact]
    public async Task A_video_without_audio_in_which_no_face_is_seen_fails_with_no_face_seen_instead_of_an_empty_result()
    {
        var error = await Assert.ThrowsAsync<MediaDecodeException>(() => _pipeline.ScoreAsync(media.P("video-only.mp4"), _bundle, new ScoringOptions()));
        Assert.Equal(MediaErrorKind.NoFaceSeen, error.Kind);
        // 6 s at the branch's 5 fps (one frame of slack for ffmpeg's fps filter at the end).
        Assert.Matches("^no-face-seen: the bundle's face stage found no face in 3[01] frames of 'video-only.mp4' and the recording has no audio; nothing was scored\\.$", error.Message);

        // The same video with the bundle's audio branch gone and audio in the file: the message names the bundle.
        var visualOnly = TestEnvironment.ReferenceBundleCopy("visual-only");
        try
        {
            var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(visualOnly, "manifest.json")))!.AsObject();
            manifest.Remove("audio");
            manifest["fusion"]!.AsObject().Remove("audio");
            File.WriteAllText(Path.Combine(visualOnly, "manifest.json"), manifest.ToJsonString());
            var withAudio = await Assert.ThrowsAsync<MediaDecodeException>(() => _pipeline.ScoreAsync(media.P("no-face.mp4"), ModelBundle.Load(visualOnly), new ScoringOptions()));
            Assert.Equal(MediaErrorKind.NoFaceSeen, withAudio.Kind);
            Assert.Contains("and bundle 'reference-tiny' has no audio branch", withAudio.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(visualOnly, true);
        }
    }

    [Fact]
    public async Task A_bundle_without_a_face_stage_scores_whole_frames_and_reports_no_face_coverage()
    {
        var dir = TestEnvironment.ReferenceBundleWithoutFace();
        try
        {
            var bundle = ModelBundle.Load(dir);
            Assert.Null(bundle.Visual!.Face);
            var result = await _pipeline.ScoreAsync(media.P("no-face.mp4"), bundle, new ScoringOptions());
            Assert.All(result.Windows, w =>
            {
                Assert.Null(w.FaceCoverage);
                Assert.NotNull(w.VisualEmi);
            });
            Assert.Null(result.Aggregate!.FaceCoverage);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task Ml_tooling_makes_the_same_boxes_and_crops_as_the_engine()
    {
        var file = media.P("face-moves.mp4");
        var info = await MediaProbe.ProbeAsync(file, MediaTools.FromEnvironment(), CancellationToken.None);
        using var detector = OnnxModel.Open(_bundle.FaceDetectorPath!, TestEnvironment.Cpu);
        var boxes = new List<FaceBox?>();
        using var frames = new FaceCropFrames(detector, Visual) { Tracked = (i, b) => boxes.Add(b) };
        await using var decoder = VideoDecoder.Start(info, frames, Visual.FrameRate, MediaTools.FromEnvironment(), CancellationToken.None);
        var crops = new List<float>();
        var buffer = new float[frames.FrameFloats];
        while (await decoder.ReadAsync(buffer, 0, 1, CancellationToken.None) > 0)
        {
            crops.AddRange(buffer);
        }

        await decoder.CompleteAsync(CancellationToken.None);

        var output = media.P("ml-faces.json");
        var python = new ProcessStartInfo("/usr/bin/python3", ["-m", "emi_ml.faces", "--bundle", TestEnvironment.ReferenceBundle, file, "--out", output])
        {
            WorkingDirectory = RepoRoot.Path,
            RedirectStandardError = true,
        };
        python.Environment["PYTHONPATH"] = Path.Combine(RepoRoot.Path, "ml");
        using (var process = Process.Start(python)!)
        {
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, stderr);
        }

        var ml = JsonNode.Parse(await File.ReadAllTextAsync(output))!;
        var mlBoxes = ml["boxes"]!.AsArray();
        Assert.Equal(boxes.Count, mlBoxes.Count);
        for (var i = 0; i < boxes.Count; i++)
        {
            Assert.Equal(boxes[i] is null, mlBoxes[i] is null);
            if (boxes[i] is { } b)
            {
                var m = mlBoxes[i]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
                Assert.Equal(b.CenterX, m[0], 1e-4);
                Assert.Equal(b.CenterY, m[1], 1e-4);
                Assert.Equal(b.Width, m[2], 1e-4);
                Assert.Equal(b.Height, m[3], 1e-4);
            }
        }

        var mlCrops = await File.ReadAllBytesAsync(output + ".f32");
        var values = new float[mlCrops.Length / 4];
        Buffer.BlockCopy(mlCrops, 0, values, 0, mlCrops.Length);
        Assert.Equal(crops.Count, values.Length);
        var worst = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(values[i] - crops[i]));
        }

        // Normalised values span about [-2, 2.7]; 1e-3 is well under one grey level (1/255/std = 0.017).
        Assert.True(worst <= 1e-3, $"largest |C# - ml| crop difference {worst}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("face")]
    [InlineData("audio")]
    public void A_manifest_with_a_field_the_engine_does_not_read_is_refused(string section)
    {
        var dir = TestEnvironment.ReferenceBundleCopy("strict");
        try
        {
            var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")))!;
            var target = section switch
            {
                "face" => manifest["visual"]!["face"]!,
                "audio" => manifest["audio"]!,
                _ => manifest,
            };
            target["resize"] = "cover_center_crop";
            File.WriteAllText(Path.Combine(dir, "manifest.json"), manifest.ToJsonString());
            var error = Assert.Throws<ModelBundleException>(() => ModelBundle.Load(dir));
            Assert.Contains("resize", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_modified_face_detector_is_refused()
    {
        var dir = TestEnvironment.ReferenceBundleCopy("detector");
        try
        {
            File.AppendAllText(Path.Combine(dir, Visual.Face!.Detector), "x");
            var error = Assert.Throws<ModelBundleException>(() => ModelBundle.Load(dir));
            Assert.Contains("sha256", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    public void Dispose() => _pipeline.Dispose();
}
