using EmiPlatform.Bundles;

namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// Late fusion of the branches' window means into the recording's timeline (weights from the bundle's manifest,
/// normalised over the branches present in each window), and the recording's aggregate over those windows.
/// </summary>
internal static class TimelineFusion
{
    private const string AudioBranchName = "audio";
    private const string VisualBranchName = "visual";

    /// <summary>The timeline's windows; a null accumulator is a part that did not run.</summary>
    public static List<TimelineWindow> Fuse(ModelBundle bundle, double duration, double window, double hop, RecordingSignals signals)
    {
        var (audio, vad, visual, coverage, perception) = (signals.AudioEmi, signals.Vad, signals.VisualEmi, signals.FaceCoverage, signals.Perception);
        var perceptionColumns = Perception.FacePerception.Columns.Count;
        var audioWeight = bundle.FusionWeight(AudioBranchName);
        var visualWeight = bundle.FusionWeight(VisualBranchName);
        var count = Math.Max(Math.Max(audio?.WindowCount ?? 0, visual?.WindowCount ?? 0), coverage?.WindowCount ?? 0);
        var windows = new List<TimelineWindow>(count);
        for (var k = 0; k < count; k++)
        {
            var a = audio is not null && audio.Has(k) ? audio.Mean(k) : null;
            var v = visual is not null && visual.Has(k) ? visual.Mean(k) : null;
            double? seen = coverage is not null && coverage.Has(k) ? coverage.Mean(k)[0] : null;
            // Decoders can run a few milliseconds past the container's duration (codec priming); a window that
            // starts after the end would describe those milliseconds only. A window no branch scored (video only,
            // the face never seen in it) has no values to give: it is left out, and the recording's face coverage
            // still counts its frames.
            if ((a is null && v is null) || (duration > 0 && k * hop >= duration))
            {
                continue;
            }

            var fused = new float[bundle.Emotions.Count];
            var wa = a is null ? 0 : audioWeight;
            var wv = v is null ? 0 : visualWeight;
            var total = wa + wv;
            for (var e = 0; e < fused.Length; e++)
            {
                var sum = (wa * (a?[e] ?? 0)) + (wv * (v?[e] ?? 0));
                fused[e] = total > 0 ? (float)(sum / total) : float.NaN;
            }

            var start = k * hop;
            var end = start + window;
            if (duration > start && end > duration)
            {
                end = duration;
            }

            var perceived = perception is not null && perception.Has(k) ? perception.Mean(k) : null;
            windows.Add(new TimelineWindow(start, end, fused, vad is not null && vad.Has(k) ? vad.Mean(k) : null, a, v, seen,
                signals.Speech?.Coverage(start - signals.SpeechOffsetSeconds, end - signals.SpeechOffsetSeconds),
                perceived?[perceptionColumns],
                perceived?[..perceptionColumns]));
        }

        return windows;
    }

    /// <summary>
    /// The means of the windows (fused, VAD, per branch, face confidence and perception), the face coverage of all
    /// frames and the speech coverage of all steps; null without a window.
    /// </summary>
    public static TimelineWindow? Aggregate(List<TimelineWindow> windows, double duration, RecordingSignals signals)
    {
        var faceFrames = signals.FaceFrames;
        if (windows.Count == 0)
        {
            return null;
        }

        static float[]? Mean(IEnumerable<IReadOnlyList<float>?> rows)
        {
            float[]? result = null;
            double[]? sums = null;
            var n = 0;
            foreach (var row in rows)
            {
                if (row is null)
                {
                    continue;
                }

                sums ??= new double[row.Count];
                for (var i = 0; i < row.Count; i++)
                {
                    sums[i] += row[i];
                }

                n++;
            }

            if (sums is not null)
            {
                result = sums.Select(s => (float)(s / n)).ToArray();
            }

            return result;
        }

        return new TimelineWindow(
            0,
            Math.Max(duration, windows[^1].EndSeconds),
            Mean(windows.Select(w => w.Emi))!,
            Mean(windows.Select(w => w.Vad)),
            Mean(windows.Select(w => w.AudioEmi)),
            Mean(windows.Select(w => w.VisualEmi)),
            faceFrames is { Frames: > 0 } f ? f.WithFace / (double)f.Frames : faceFrames is null ? null : 0,
            signals.Speech?.Overall(),
            windows.Any(w => w.FaceConfidence is not null) ? windows.Where(w => w.FaceConfidence is not null).Average(w => w.FaceConfidence!.Value) : null,
            Mean(windows.Select(w => w.Perception)));
    }
}
