using Orleans.Concurrency;

namespace EmiPlatform.Abstractions.Studies;

/// <summary>A live subscriber to a study's events (an API host streaming them to a client). Best effort.</summary>
[Alias("emi.IStudyObserver")]
public interface IStudyObserver : IGrainObserver
{
    [Alias("OnEvent"), OneWay]
    Task OnEventAsync(StudyEvent studyEvent);
}
