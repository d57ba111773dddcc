namespace EmiPlatform.Media;

public sealed record AudioStreamInfo(int Index, string Codec, int SampleRate, int Channels, double StartTime, double? Duration);
