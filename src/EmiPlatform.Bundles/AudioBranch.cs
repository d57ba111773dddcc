namespace EmiPlatform.Bundles;

/// <summary>
/// The audio branch of a bundle: raw 16 kHz mono waveform in, per-step EMI and VAD out, in two graphs: the
/// <see cref="Backbone"/> (waveform to per-step features) and the <see cref="Head"/> (features to EMI and VAD).
/// </summary>
public sealed record AudioBranch
{
    public bool Trained { get; init; }

    public int SampleRate { get; init; } = 16000;

    public double SegmentSeconds { get; init; } = 12.0;

    public double OverlapSeconds { get; init; } = 1.0;

    /// <summary>Per-step outputs per second of input; step i of a segment maps to segment start + i / rate.</summary>
    public double OutputRateHz { get; init; } = 50.0;

    /// <summary>Samples between two per-step outputs.</summary>
    public int StepSamples { get; init; } = 320;

    /// <summary>Samples one step sees; a shorter segment is zero-padded to this length.</summary>
    public int ReceptiveFieldSamples { get; init; } = 400;

    public required BackboneGraph Backbone { get; init; }

    public required AudioHead Head { get; init; }

    /// <summary>The backbone's per-step feature width (its output's last axis).</summary>
    public int FeatureWidth => ModelBundle.FixedAxis(Backbone.Output.Shape, 2) ?? 0;

    /// <summary>Null: no speech stage, no <c>speech_coverage</c>, and every step counts in the fusion.</summary>
    public SpeechStage? Speech { get; init; }

    /// <summary>The hyperparameters the graph was built with; recorded for people, not read by the engine.</summary>
    public System.Text.Json.JsonElement? Architecture { get; init; }
}
