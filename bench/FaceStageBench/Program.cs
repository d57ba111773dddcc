// The face stage per sampled frame, part by part, on one core: letterbox resampling, the BlazeFace run with anchor
// decoding, the track, FaceMesh landmarks (crop, run, mapping, descriptors) and the expression CNN, on the frames
// tools/perception-faces/make_faces.py writes. Also prints each frame's descriptors and expressions.
//   dotnet run -c Release --project bench/FaceStageBench -- FACES_DIR [frames]
using System.Diagnostics;
using EmiPlatform.Bundles;
using EmiPlatform.Inference.Faces;
using EmiPlatform.Inference.Onnx;
using EmiPlatform.Inference.Perception;

var faces = args[0];
var frames = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 300;
var root = AppContext.BaseDirectory;
while (!File.Exists(Path.Combine(root, "EmiPlatform.sln")))
{
    root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("run inside the repository");
}

var bundleDir = Path.Combine(root, "models", "reference-tiny");
var bundle = ModelBundle.Load(bundleDir);
var stage = bundle.Visual!.Face!;
var options = new OnnxSessionOptions { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 };
using var detectorModel = OnnxModel.Open(bundle.FaceDetectorPath!, options);
using var meshModel = OnnxModel.Open(Path.Combine(bundleDir, "facemesh.onnx"), options);
using var emotionModel = OnnxModel.Open(Path.Combine(bundleDir, "emotion.onnx"), options);
using var detector = new BlazeFaceDetector(detectorModel, stage);
using var perceiver = new FacePerceiver(meshModel, emotionModel);
var size = stage.FrameSize;

foreach (var name in new[] { "astronaut", "smile", "jaw", "roll15", "faceless" })
{
    var frame = File.ReadAllBytes(Path.Combine(faces, name + ".rgb"));
    var box = new FaceTrack(stage).Update(detector.Detect(frame, size), 0);
    var p = perceiver.Perceive(frame, size, box);
    Console.WriteLine(p is null
        ? $"{name,-9}: no face"
        : $"{name,-9}: " + string.Join(" ", FacePerception.DescriptorColumns.Select((c, i) => $"{c}={p.Descriptors[i]:0.000}"))
          + " | " + string.Join(" ", FacePerception.ExpressionColumns.Select((c, i) => $"{c}={p.Expressions[i]:0.000}")) + $" | face_confidence={p.FaceConfidence:0.000}");
}

var astronaut = File.ReadAllBytes(Path.Combine(faces, "astronaut.rgb"));
var input = new float[stage.InputSize * stage.InputSize * 3];
var track = new FaceTrack(stage);
double letterbox = 0, detect = 0, tracking = 0;
for (var warm = 0; warm < 20; warm++)
{
    perceiver.Perceive(astronaut, size, track.Update(detector.Detect(astronaut, size), warm / 5.0));
}

using var fresh = new FacePerceiver(meshModel, emotionModel);
for (var i = 0; i < frames; i++)
{
    var t0 = Stopwatch.GetTimestamp();
    Bilinear.SampleSignedUnit(astronaut, size, stage.InputSize, input);
    var t1 = Stopwatch.GetTimestamp();
    var detections = detector.Detect(astronaut, size);
    var t2 = Stopwatch.GetTimestamp();
    var box = track.Update(detections, (i + 20) / 5.0);
    var t3 = Stopwatch.GetTimestamp();
    fresh.Perceive(astronaut, size, box);
    letterbox += Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
    detect += Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds;
    tracking += Stopwatch.GetElapsedTime(t2, t3).TotalMilliseconds;
}

// The letterbox as it was before issue 22 (bounds test on each of the 12 reads per sample), for comparison.
var before = Stopwatch.GetTimestamp();
for (var i = 0; i < frames; i++)
{
    BoundsTestedLetterbox(astronaut, size, stage.InputSize, input);
}

var beforeMs = Stopwatch.GetElapsedTime(before).TotalMilliseconds / frames;
var (n, landmarks, expressions) = fresh.Timings;

// MediaPipe's tracking shortcut: the detector only when the face is lost, or once a second at 5 fps.
using var shortcutPerceiver = new FacePerceiver(meshModel, emotionModel);
var tracker = new LandmarkFaceTracker(detector, new FaceTrack(stage), shortcutPerceiver, size, redetectFrames: 5);
var shortcut = Stopwatch.GetTimestamp();
for (var i = 0; i < frames; i++)
{
    tracker.Next(astronaut, i / 5.0);
}

var shortcutMs = Stopwatch.GetElapsedTime(shortcut).TotalMilliseconds / frames;
Console.WriteLine($"{frames} frames of {size}x{size}, one intra-op thread, ms per frame:");
Console.WriteLine($"  letterbox resample {size}->{stage.InputSize} (inside the detector)  {letterbox / frames:0.000}");
Console.WriteLine($"  letterbox, bounds-tested reads (the code before)         {beforeMs:0.000}");
Console.WriteLine($"  detector (letterbox + BlazeFace + anchors + NMS)       {detect / frames:0.000}");
Console.WriteLine($"  track                                                  {tracking / frames:0.000}");
Console.WriteLine($"  landmarks (crop + FaceMesh + mapping + descriptors)    {landmarks.TotalMilliseconds / n:0.000}");
Console.WriteLine($"  expression (64x64 grey crop + CNN)                     {expressions.TotalMilliseconds / n:0.000}");
Console.WriteLine($"  with the tracking shortcut (detector on {tracker.Detections} of {tracker.Frames} frames)   {shortcutMs:0.000}");
Console.WriteLine($"  face stage total                                       {(detect + tracking + landmarks.TotalMilliseconds + expressions.TotalMilliseconds) / frames:0.000}");

static void BoundsTestedLetterbox(ReadOnlySpan<byte> image, int size, int outSize, float[] input)
{
    var s = size / (double)outSize;
    for (var oy = 0; oy < outSize; oy++)
    {
        var y = ((oy + 0.5) * s) - 0.5;
        var y0 = (int)Math.Floor(y);
        var fy = (float)(y - y0);
        for (var ox = 0; ox < outSize; ox++)
        {
            var x = ((ox + 0.5) * s) - 0.5;
            var x0 = (int)Math.Floor(x);
            var fx = (float)(x - x0);
            var p = (oy * outSize) + ox;
            for (var c = 0; c < 3; c++)
            {
                var top0 = Pixel(image, size, x0, y0, c) + (fx * (Pixel(image, size, x0 + 1, y0, c) - Pixel(image, size, x0, y0, c)));
                var bottom0 = Pixel(image, size, x0, y0 + 1, c) + (fx * (Pixel(image, size, x0 + 1, y0 + 1, c) - Pixel(image, size, x0, y0 + 1, c)));
                input[(p * 3) + c] = ((top0 + (fy * (bottom0 - top0))) / 127.5f) - 1f;
            }
        }
    }
}

static float Pixel(ReadOnlySpan<byte> image, int size, int x, int y, int c) =>
    x < 0 || y < 0 || x >= size || y >= size ? 0f : image[(((y * size) + x) * 3) + c];
