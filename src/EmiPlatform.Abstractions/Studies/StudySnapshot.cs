namespace EmiPlatform.Abstractions.Studies;

[GenerateSerializer, Immutable, Alias("emi.StudySnapshot")]
public sealed record StudySnapshot(
    [property: Id(0)] long LastEventId,
    [property: Id(1)] StudyProgress Progress,
    [property: Id(2)] JobSnapshot[] Jobs);
