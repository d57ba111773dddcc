namespace EmiPlatform.Abstractions.Studies;

/// <summary>
/// Created: the recording and its job were committed. Duplicate: the same bytes were already registered for the
/// participant (<see cref="RecordingId"/> is that recording). QuotaExceeded: the database refused it; nothing was written.
/// </summary>
[GenerateSerializer, Immutable, Alias("emi.RegistrationOutcome")]
public sealed record RegistrationOutcome(
    [property: Id(0)] RegistrationResult Result,
    [property: Id(1)] Guid? RecordingId,
    [property: Id(2)] Guid? JobId);

public enum RegistrationResult
{
    Created,
    Duplicate,
    QuotaExceeded,
}
