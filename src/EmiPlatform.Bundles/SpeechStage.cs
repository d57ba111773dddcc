namespace EmiPlatform.Bundles;

/// <summary>
/// The audio branch's speech stage (docs/model-bundle.md, "Speech stage"): a Silero VAD graph (v5 or v6 interface)
/// gives a speech probability for every 32 ms of the branch's 16 kHz stream; a step is speech when its probability
/// is at least <see cref="Threshold"/>. Each window reports <c>speech_coverage</c>, the fraction of its steps that
/// are speech; <see cref="Mask"/> decides whether non-speech steps still count in the audio branch's fusion.
/// </summary>
public sealed record SpeechStage
{
    /// <summary>The audio branch scores all audio, speech or not (the audio paper's setting).</summary>
    public const string Keep = "keep";

    /// <summary>Audio steps inside non-speech 32 ms steps carry no weight in the fusion.</summary>
    public const string Drop = "drop";

    /// <summary>The only rate the Silero graphs take: the audio branch must be decoded at it.</summary>
    public const int SampleRate = 16000;

    /// <summary>The detector's ONNX file, relative to the bundle directory.</summary>
    public required string File { get; init; }

    public required string Sha256 { get; init; }

    /// <summary>Where the file comes from (package, version, path); shown, not interpreted.</summary>
    public required string Source { get; init; }

    /// <summary>The model's licence (and the package's, when they differ); shown, not interpreted.</summary>
    public required string Licence { get; init; }

    public double Threshold { get; init; } = 0.5;

    /// <summary><see cref="Keep"/> (default) or <see cref="Drop"/>.</summary>
    public string Mask { get; init; } = Keep;
}
