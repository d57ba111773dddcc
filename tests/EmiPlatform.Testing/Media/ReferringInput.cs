namespace EmiPlatform.Testing.Media;

/// <summary>A small file that makes one of ffmpeg's demuxers open <see cref="Target"/> (through <see cref="Protocol"/>).</summary>
public sealed record ReferringInput(string Name, string Demuxer, string Protocol, string Target, string FileName, byte[] Bytes)
{
    public override string ToString() => Name;
}
