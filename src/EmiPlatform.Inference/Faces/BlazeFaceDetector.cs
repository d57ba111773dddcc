using EmiPlatform.Bundles;
using EmiPlatform.Inference.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace EmiPlatform.Inference.Faces;

/// <summary>
/// Runs a BlazeFace graph on one letterboxed square frame: resize to the detector's input, NHWC RGB in [-1, 1],
/// decode each anchor's score and box regressors, keep scores above the threshold, and merge overlapping
/// detections by weighted non-maximum suppression (MediaPipe's default for BlazeFace: the boxes overlapping the
/// best one are averaged, weighted by score, which steadies the box from frame to frame more than plain NMS).
/// One detector per recording: its runner and buffers are not shared.
/// </summary>
internal sealed class BlazeFaceDetector : IDisposable
{
    // Box (centre x, centre y, width, height) then the six keypoints' x, y offsets: MediaPipe's 16 regressors.
    private const int Regressors = 4 + (2 * FaceBox.KeypointCount);

    private readonly FaceStage _stage;
    private readonly OnnxRunner _runner;
    private readonly (float X, float Y)[] _anchors;
    private readonly float[] _input;
    private readonly float[] _scores;
    private readonly float[] _boxes;
    private readonly float _logitThreshold;
    private int _regressors;

    public BlazeFaceDetector(OnnxModel model, FaceStage stage)
    {
        _stage = stage;
        _runner = model.CreateRunner([.. stage.ScoreOutputs, .. stage.BoxOutputs]);
        _anchors = BlazeFaceAnchors.Create(stage.InputSize, stage.AnchorStrides);
        _input = new float[stage.InputSize * stage.InputSize * 3];
        _scores = new float[_anchors.Length];
        _boxes = new float[_anchors.Length * Regressors];
        // sigmoid(raw) >= threshold <=> raw >= logit(threshold): only the anchors above it are decoded, and the
        // sigmoid is taken for those alone.
        var t = Math.Clamp(stage.ScoreThreshold, 1e-7, 1 - 1e-7);
        _logitThreshold = (float)Math.Log(t / (1 - t));
    }

    /// <summary>The faces in an rgb24 frame of side <paramref name="frameSize"/>, best first.</summary>
    public List<FaceBox> Detect(ReadOnlySpan<byte> frame, int frameSize, CancellationToken cancellationToken = default)
    {
        var size = _stage.InputSize;
        Bilinear.SampleSignedUnit(frame, frameSize, size, _input);
        Run(cancellationToken);

        List<FaceBox>? candidates = null;
        var scale = 1f / size;
        for (var i = 0; i < _anchors.Length; i++)
        {
            if (!(_scores[i] >= _logitThreshold))
            {
                continue;
            }

            var score = 1.0 / (1.0 + Math.Exp(-Math.Clamp(_scores[i], -100f, 100f)));
            if (score < _stage.ScoreThreshold)
            {
                continue;
            }

            var b = _boxes.AsSpan(i * Regressors, Regressors);
            float[]? keypoints = null;
            if (_regressors >= Regressors)
            {
                keypoints = new float[2 * FaceBox.KeypointCount];
                for (var k = 0; k < FaceBox.KeypointCount; k++)
                {
                    keypoints[2 * k] = (b[4 + (2 * k)] * scale) + _anchors[i].X;
                    keypoints[(2 * k) + 1] = (b[5 + (2 * k)] * scale) + _anchors[i].Y;
                }
            }

            (candidates ??= []).Add(new FaceBox(
                (b[0] / (double)size) + _anchors[i].X,
                (b[1] / (double)size) + _anchors[i].Y,
                b[2] / (double)size,
                b[3] / (double)size,
                score) { Keypoints = keypoints });
        }

        return candidates is null ? [] : WeightedSuppression(candidates, _stage.IouThreshold);
    }

    private void Run(CancellationToken cancellationToken)
    {
        var size = _stage.InputSize;
        using var outputs = _runner.Run([new OnnxInput(_stage.InputName, _input, [1, size, size, 3])], cancellationToken);
        var groups = _stage.ScoreOutputs.Count;
        var offset = 0;
        for (var g = 0; g < groups; g++)
        {
            var scores = outputs[g].GetTensorDataAsSpan<float>();
            var boxes = outputs[groups + g].GetTensorDataAsSpan<float>();
            var count = scores.Length;
            var regressors = boxes.Length / count;
            if (offset + count > _anchors.Length || regressors < 4)
            {
                throw new InvalidDataException($"The face detector's outputs do not match its {_anchors.Length} anchors.");
            }

            scores.CopyTo(_scores.AsSpan(offset, count));
            var kept = Math.Min(regressors, Regressors);
            _regressors = g == 0 ? kept : Math.Min(_regressors, kept);
            if (regressors == Regressors)
            {
                boxes.CopyTo(_boxes.AsSpan(offset * Regressors, count * Regressors));
            }
            else
            {
                for (var i = 0; i < count; i++)
                {
                    boxes.Slice(i * regressors, kept).CopyTo(_boxes.AsSpan((offset + i) * Regressors, kept));
                }
            }

            offset += count;
        }

        if (offset != _anchors.Length)
        {
            throw new InvalidDataException($"The face detector gives {offset} anchors; its anchor scheme has {_anchors.Length}.");
        }
    }

    internal static List<FaceBox> WeightedSuppression(List<FaceBox> candidates, double iouThreshold)
    {
        var remaining = candidates.OrderByDescending(c => c.Score).ToList();
        var merged = new List<FaceBox>();
        while (remaining.Count > 0)
        {
            var best = remaining[0];
            double x = 0, y = 0, w = 0, h = 0, total = 0;
            // Keypoints are averaged with the same weights, as MediaPipe's weighted NMS does.
            var keypoints = best.Keypoints is null ? null : new double[best.Keypoints.Length];
            var rest = new List<FaceBox>(remaining.Count);
            foreach (var c in remaining)
            {
                if (best.IntersectionOverUnion(c) > iouThreshold || c == best)
                {
                    x += c.CenterX * c.Score;
                    y += c.CenterY * c.Score;
                    w += c.Width * c.Score;
                    h += c.Height * c.Score;
                    total += c.Score;
                    if (keypoints is not null && c.Keypoints is { } k)
                    {
                        for (var j = 0; j < keypoints.Length; j++)
                        {
                            keypoints[j] += k[j] * c.Score;
                        }
                    }
                }
                else
                {
                    rest.Add(c);
                }
            }

            merged.Add(new FaceBox(x / total, y / total, w / total, h / total, best.Score)
            {
                Keypoints = keypoints?.Select(k => (float)(k / total)).ToArray(),
            });
            remaining = rest;
        }

        return merged;
    }

    public void Dispose() => _runner.Dispose();
}
