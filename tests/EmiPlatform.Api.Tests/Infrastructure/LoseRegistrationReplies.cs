using EmiPlatform.Abstractions.Studies;
using Orleans.Runtime;

namespace EmiPlatform.Api.Tests.Infrastructure;

/// <summary>
/// What a silo lost mid-call looks like to the API host, for registrations whose file name asks for it: the reply of
/// one that the study's grain committed never arrives (a timeout), or one is refused before it was delivered.
/// </summary>
public sealed class LoseRegistrationReplies : IOutgoingGrainCallFilter
{
    public const string AfterCommit = "lost-after-commit";
    public const string BeforeDelivery = "lost-before-delivery";

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.InterfaceMethod?.Name != nameof(IStudyGrain.RegisterRecordingAsync)
            || context.Request.GetArgument(0) is not RecordingRegistration registration)
        {
            await context.Invoke();
            return;
        }
        if (registration.OriginalFileName.StartsWith(BeforeDelivery, StringComparison.Ordinal))
        {
            throw new SiloUnavailableException("the study's silo is gone (test)");
        }
        await context.Invoke();
        if (registration.OriginalFileName.StartsWith(AfterCommit, StringComparison.Ordinal))
        {
            throw new TimeoutException("the study's silo never answered (test)");
        }
    }
}
