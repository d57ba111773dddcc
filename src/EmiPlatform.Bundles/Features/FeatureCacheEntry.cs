using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EmiPlatform.Bundles.Features;

/// <summary>
/// A recording's features from one backbone, as the feature cache stores them (docs/model-bundle.md, "Feature cache"):
/// the magic <c>EMIFEAT1</c>, a little-endian uint32 header length, a UTF-8 JSON header, then each segment's
/// steps × width features as little-endian IEEE 754 half floats, segment after segment, row-major.
/// </summary>
public sealed class FeatureCacheEntry
{
    public const int Format = 1;
    private static readonly byte[] s_magic = "EMIFEAT1"u8.ToArray();

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public required string KeySha256 { get; init; }

    public required string RecordingSha256 { get; init; }

    public required string Branch { get; init; }

    public required string BackboneSha256 { get; init; }

    /// <summary>The key's decoding parameters (canonical JSON).</summary>
    public required string Decoding { get; init; }

    /// <summary>Features per step.</summary>
    public required int Width { get; init; }

    /// <summary>Units (samples or frames) per second of the stream the segments were cut from.</summary>
    public required double UnitsPerSecond { get; init; }

    public required int OverlapUnits { get; init; }

    public required IReadOnlyList<FeatureSegment> Segments { get; init; }

    /// <summary>Visual: [start, end) frame ranges without the tracked face (their rows are the masked frame's features).</summary>
    public IReadOnlyList<long[]> Unseen { get; init; } = [];

    public static bool Matches(FeatureCacheEntry entry, FeatureCacheKey key) =>
        entry.KeySha256 == key.Sha256 && entry.Branch == key.Branch && entry.BackboneSha256 == key.BackboneSha256 && entry.Decoding == key.Decoding;

    public byte[] Encode()
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new Header(Format, KeySha256, RecordingSha256, Branch, BackboneSha256, JsonDocument.Parse(Decoding).RootElement,
            Width, UnitsPerSecond, OverlapUnits, [.. Segments.Select(s => new SegmentHeader(s.StartUnit, s.Units, s.Steps, s.IsFirst, s.IsLast))], [.. Unseen]), s_json);
        var values = Segments.Sum(s => (long)s.Steps * Width);
        var bytes = new byte[s_magic.Length + 4 + header.Length + (values * 2)];
        s_magic.CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(s_magic.Length), (uint)header.Length);
        header.CopyTo(bytes, s_magic.Length + 4);
        var at = s_magic.Length + 4 + header.Length;
        foreach (var segment in Segments)
        {
            if (segment.Features.Length != segment.Steps * Width)
            {
                throw new InvalidDataException($"A segment of {segment.Steps} steps holds {segment.Features.Length} features; {segment.Steps} × {Width} expected.");
            }

            foreach (var value in segment.Features)
            {
                BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(at), value);
                at += 2;
            }
        }

        return bytes;
    }

    /// <exception cref="InvalidDataException">not an entry of this format</exception>
    public static FeatureCacheEntry Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < s_magic.Length + 4 || !bytes[..s_magic.Length].SequenceEqual(s_magic))
        {
            throw new InvalidDataException("Not a feature cache entry (no EMIFEAT1 magic).");
        }

        var headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes[s_magic.Length..]);
        var start = s_magic.Length + 4;
        if (headerLength <= 0 || start + headerLength > bytes.Length)
        {
            throw new InvalidDataException("A feature cache entry's header runs past its end.");
        }

        Header header;
        try
        {
            header = JsonSerializer.Deserialize<Header>(bytes.Slice(start, headerLength), s_json)
                ?? throw new InvalidDataException("A feature cache entry's header is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"A feature cache entry's header is not valid: {ex.Message}", ex);
        }

        if (header.Format != Format)
        {
            throw new InvalidDataException($"Feature cache entry format {header.Format}; this reader reads {Format}.");
        }

        var at = start + headerLength;
        var values = header.Segments.Sum(s => (long)s.Steps * header.Width);
        if (bytes.Length - at != values * 2)
        {
            throw new InvalidDataException($"A feature cache entry holds {bytes.Length - at} bytes of features; its header describes {values * 2}.");
        }

        var segments = new List<FeatureSegment>(header.Segments.Length);
        foreach (var s in header.Segments)
        {
            var features = new Half[s.Steps * header.Width];
            for (var i = 0; i < features.Length; i++, at += 2)
            {
                features[i] = BinaryPrimitives.ReadHalfLittleEndian(bytes[at..]);
            }

            segments.Add(new FeatureSegment(s.StartUnit, s.Units, s.Steps, s.First, s.Last, features));
        }

        return new FeatureCacheEntry
        {
            KeySha256 = header.KeySha256,
            RecordingSha256 = header.RecordingSha256,
            Branch = header.Branch,
            BackboneSha256 = header.BackboneSha256,
            Decoding = header.Decoding.GetRawText(),
            Width = header.Width,
            UnitsPerSecond = header.UnitsPerSecond,
            OverlapUnits = header.OverlapUnits,
            Segments = segments,
            Unseen = header.Unseen ?? [],
        };
    }

    private sealed record Header(int Format, string KeySha256, string RecordingSha256, string Branch, string BackboneSha256, JsonElement Decoding,
        int Width, double UnitsPerSecond, int OverlapUnits, SegmentHeader[] Segments, long[][]? Unseen);

    private sealed record SegmentHeader(long StartUnit, int Units, int Steps, bool First, bool Last);
}
