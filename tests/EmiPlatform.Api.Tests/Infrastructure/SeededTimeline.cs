using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests.Infrastructure;

/// <summary>One timeline for <see cref="TimelineSeeder.TimelinesAsync"/>: which recording and bundle, how many windows, which values.</summary>
public sealed record SeededTimeline(Guid RecordingId, Guid BundleId, int Count, int Seed, bool WithAudio = true);
