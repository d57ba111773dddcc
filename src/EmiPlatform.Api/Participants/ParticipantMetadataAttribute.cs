using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using EmiPlatform.Data;

namespace EmiPlatform.Api.Participants;

/// <summary>A participant's free-form metadata: absent, null, or a JSON object small enough for its jsonb column.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class ParticipantMetadataAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not JsonElement { ValueKind: not JsonValueKind.Null } metadata)
        {
            return ValidationResult.Success;
        }
        var raw = metadata.GetRawText();
        var error = metadata.ValueKind != JsonValueKind.Object ? "must be a JSON object"
            : raw.Length > Limits.MetadataBytes ? $"must be at most {Limits.MetadataBytes} characters of JSON"
            // PostgreSQL's jsonb cannot store NUL; refuse it here rather than fail in the database.
            : raw.Contains("\\u0000", StringComparison.Ordinal) ? "must not contain \\u0000"
            : null;
        return error is null ? ValidationResult.Success : new ValidationResult(error, validationContext.MemberName is { } member ? [member] : null);
    }
}
