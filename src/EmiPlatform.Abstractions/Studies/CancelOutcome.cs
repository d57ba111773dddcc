namespace EmiPlatform.Abstractions.Studies;

public enum CancelOutcome
{
    Cancelled,
    AlreadyCancelled,
    AlreadySucceeded,
    AlreadyFailed,
    NotFound,
}
