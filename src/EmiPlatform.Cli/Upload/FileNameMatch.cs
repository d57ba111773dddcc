namespace EmiPlatform.Cli.Upload;

/// <summary>What a file name says about its recording.</summary>
internal sealed record FileNameMatch(string Participant, string? Stimulus, string? Trial);
