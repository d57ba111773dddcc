using EmiPlatform.Api.Validation;
using EmiPlatform.Data;

namespace EmiPlatform.Api.Recordings;

/// <summary>What the client says about a recording; the bytes say the rest (ffprobe).</summary>
public sealed record RecordingMetadata(string? Stimulus, string? Trial, string? FileName, string? ContentType)
{
    public FieldErrors Validate()
    {
        var errors = new FieldErrors();
        errors.OptionalText("stimulus", Stimulus, Limits.NameLength);
        errors.OptionalText("trial", Trial, Limits.NameLength);
        errors.OptionalText("contentType", ContentType, Limits.NameLength);
        // fileName is sanitised (FileNames), not refused: it is a label, and clients send whatever their file system had.
        return errors;
    }
}
