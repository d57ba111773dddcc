namespace EmiPlatform.Media;

/// <summary>What one ffmpeg / ffprobe child may spend before it is stopped and its input refused.</summary>
internal sealed record ProcessBudget(TimeSpan WallClock, TimeSpan CpuTime, long MemoryBytes);
