using EmiPlatform.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EmiPlatform.Api.Tests.Infrastructure;

/// <summary>An API host whose registrations lose their grain call when their file name says so (<see cref="LoseRegistrationReplies"/>).</summary>
public sealed class LostRepliesApi : IAsyncLifetime
{
    public ApiFactory Api { get; } = new() { TestServices = s => s.AddSingleton<IOutgoingGrainCallFilter, LoseRegistrationReplies>() };

    public Task InitializeAsync() => Api.InitializeAsync();

    public async Task DisposeAsync() => await Api.DisposeAsync();
}
