using System.Text;

namespace EmiPlatform.Testing.Media;

/// <summary>
/// The corpus of uploads that point elsewhere, made here (nothing downloaded): for every input protocol this ffmpeg lists,
/// an HLS playlist and a concat list (ffconcat) naming a URL of that protocol on the <see cref="Canary"/>; and HLS variant,
/// key and init-segment references, a DASH manifest, an SDP description and an IMF composition playlist, the other
/// demuxers that open further resources. <see cref="ProtocolUrls"/> must cover <see cref="FfmpegCapabilities.InputProtocols"/>
/// and <see cref="Demuxers"/> the referring demuxers the build has: the tests check both, so a newer ffmpeg with a new
/// protocol fails them until the corpus covers it.
/// </summary>
public static class ReferringInputs
{
    /// <summary>Demuxers that open files or URLs named in their input, and whether this corpus has a file for each.</summary>
    public static IReadOnlyList<string> Demuxers { get; } = ["hls", "dash", "concat", "sdp", "imf"];

    /// <summary>
    /// A URL on the canary for each input protocol. Those that cannot be aimed at a port (data, file, pipe, bluray, ipfs)
    /// are aimed at something that leads there: a data: or file: playlist naming the canary, an IPFS gateway set to the
    /// canary (<c>IPFS_GATEWAY</c>, which the ffmpeg children inherit), the host's stdin.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ProtocolUrls(Canary canary, string nestedPlaylist)
    {
        var at = $"{canary.Host}:{canary.Port}";
        var dataPlaylist = Convert.ToBase64String(Encoding.ASCII.GetBytes(Hls($"http://{at}/data-segment.ts")));
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["async"] = $"async:http://{at}/async",
            ["bluray"] = $"bluray:{nestedPlaylist}",
            ["cache"] = $"cache:http://{at}/cache",
            ["concat"] = $"concat:http://{at}/part1|http://{at}/part2",
            ["concatf"] = $"concatf:http://{at}/list",
            ["crypto"] = $"crypto+http://{at}/crypto",
            ["data"] = $"data:application/vnd.apple.mpegurl;base64,{dataPlaylist}",
            ["ffrtmphttp"] = $"ffrtmphttp://{at}/app",
            ["file"] = $"file:{nestedPlaylist}",
            ["ftp"] = $"ftp://{at}/file.ts",
            ["gopher"] = $"gopher://{at}/file",
            ["gophers"] = $"gophers://{at}/file",
            ["hls"] = $"hls+http://{at}/hls.m3u8",
            ["http"] = $"http://{at}/segment.ts",
            ["httpproxy"] = $"httpproxy://{at}/",
            ["https"] = $"https://{at}/segment.ts",
            ["mmsh"] = $"mmsh://{at}/stream",
            ["mmst"] = $"mmst://{at}/stream",
            ["pipe"] = "pipe:0",
            ["rtmp"] = $"rtmp://{at}/app/stream",
            ["rtmps"] = $"rtmps://{at}/app/stream",
            ["rtmpt"] = $"rtmpt://{at}/app/stream",
            ["rtmpts"] = $"rtmpts://{at}/app/stream",
            ["rtp"] = $"rtp://{at}",
            ["sctp"] = $"sctp://{at}",
            ["srtp"] = $"srtp://{at}",
            ["subfile"] = $"subfile,,start,0,end,1000,,:http://{at}/subfile",
            ["tcp"] = $"tcp://{at}",
            ["tls"] = $"tls://{at}",
            ["udp"] = $"udp://{at}",
            ["udplite"] = $"udplite://{at}",
            ["unix"] = $"unix:{canary.UnixPath}",
            ["amqp"] = $"amqp://{at}/exchange",
            ["rist"] = $"rist://{at}",
            ["srt"] = $"srt://{at}",
            ["sftp"] = $"sftp://{at}/file.ts",
            ["zmq"] = $"zmq:tcp://{at}",
            ["ipfs"] = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
            ["ipns"] = "ipns://example.org",
        };
    }

    /// <summary>Writes the nested playlist under <paramref name="folder"/> and returns every referring file.</summary>
    public static IReadOnlyList<ReferringInput> Build(Canary canary, string folder)
    {
        Directory.CreateDirectory(folder);
        var at = $"{canary.Host}:{canary.Port}";
        Environment.SetEnvironmentVariable("IPFS_GATEWAY", $"http://{at}");
        var nested = Path.Combine(folder, "nested.m3u8");
        File.WriteAllText(nested, Hls($"http://{at}/nested-segment.ts"));

        var inputs = new List<ReferringInput>();
        void Add(string name, string demuxer, string protocol, string target, string extension, string text) =>
            inputs.Add(new ReferringInput(name, demuxer, protocol, target, name + extension, Encoding.UTF8.GetBytes(text)));

        foreach (var (protocol, url) in ProtocolUrls(canary, nested))
        {
            Add($"hls-{protocol}", "hls", protocol, url, ".m3u8", Hls(url));
            Add($"ffconcat-{protocol}", "concat", protocol, url, ".ffconcat", $"ffconcat version 1.0\nfile '{url}'\nduration 1\n");
        }
        var http = $"http://{at}";
        Add("hls-variant", "hls", "http", $"{http}/variant.m3u8", ".m3u8",
            $"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=64000\n{http}/variant.m3u8\n");
        Add("hls-key", "hls", "http", $"{http}/key", ".m3u8",
            $"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-KEY:METHOD=AES-128,URI=\"{http}/key\"\n#EXTINF:1,\nsegment.ts\n#EXT-X-ENDLIST\n");
        Add("hls-map", "hls", "http", $"{http}/init.mp4", ".m3u8",
            $"#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:1\n#EXT-X-MAP:URI=\"{http}/init.mp4\"\n#EXTINF:1,\nsegment.m4s\n#EXT-X-ENDLIST\n");
        Add("dash-http", "dash", "http", $"{http}/dash/", ".mpd",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
            "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" mediaPresentationDuration=\"PT2S\" minBufferTime=\"PT1S\" " +
            "profiles=\"urn:mpeg:dash:profile:isoff-live:2011\">\n" +
            $" <BaseURL>{http}/dash/</BaseURL>\n" +
            " <Period id=\"0\" start=\"PT0S\">\n  <AdaptationSet mimeType=\"audio/mp4\" segmentAlignment=\"true\">\n" +
            "   <Representation id=\"a\" codecs=\"mp4a.40.2\" bandwidth=\"64000\" audioSamplingRate=\"16000\">\n" +
            "    <SegmentTemplate timescale=\"1000\" duration=\"1000\" initialization=\"init.mp4\" media=\"seg-$Number$.m4s\" startNumber=\"1\"/>\n" +
            "   </Representation>\n  </AdaptationSet>\n </Period>\n</MPD>\n");
        Add("sdp-rtp", "sdp", "rtp", $"rtp://{at}", ".sdp",
            $"v=0\r\no=- 0 0 IN IP4 {canary.Host}\r\ns=canary\r\nc=IN IP4 {canary.Host}\r\nt=0 0\r\nm=audio {canary.Port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n");
        Add("imf-cpl", "imf", "file", "ASSETMAP.xml beside the playlist", ".xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
            "<CompositionPlaylist xmlns=\"http://www.smpte-ra.org/schemas/2067-3/2016\">\n" +
            " <Id>urn:uuid:8713c020-2489-45f5-a9f7-87be539e20b5</Id>\n <EditRate>25 1</EditRate>\n" +
            " <SegmentList><Segment><Id>urn:uuid:6a6e3c9d-0c2e-4a3b-9a7e-1f6f3bde4a11</Id><SequenceList>" +
            "<MainAudioSequence xmlns=\"http://www.smpte-ra.org/schemas/2067-2/2016\"><Id>urn:uuid:4f0b5b0e-2b1c-4d7e-9d9e-3d2f1a6b7c8d</Id>" +
            "<TrackId>urn:uuid:9d3c2b1a-7e6f-4a5b-8c9d-0e1f2a3b4c5d</TrackId><ResourceList><Resource><Id>urn:uuid:1b2c3d4e-5f60-4718-9a0b-c1d2e3f4a5b6</Id>" +
            "<IntrinsicDuration>25</IntrinsicDuration><TrackFileId>urn:uuid:2c3d4e5f-6071-4829-8b1c-d2e3f4a5b6c7</TrackFileId></Resource></ResourceList>" +
            "</MainAudioSequence></SequenceList></Segment></SegmentList>\n</CompositionPlaylist>\n");
        return inputs;
    }

    private static string Hls(string segment) =>
        $"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:1.0,\n{segment}\n#EXT-X-ENDLIST\n";
}
