using OpenTelemetry.Exporter;

namespace EmiPlatform.Hosting.Telemetry;

/// <summary>The OTLP collector that receives traces, metrics and logs (<c>OpenTelemetry:Otlp</c>); none when no endpoint is set.</summary>
public sealed class OtlpOptions
{
    /// <summary>E.g. <c>http://collector:4317</c> (gRPC) or <c>http://collector:4318</c> (HTTP/protobuf).</summary>
    public Uri? Endpoint { get; set; }

    public OtlpExportProtocol Protocol { get; set; } = OtlpExportProtocol.Grpc;
}
