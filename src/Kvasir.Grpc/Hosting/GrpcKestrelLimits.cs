namespace Kvasir.Grpc.Hosting;

/// <summary>
/// Kestrel limits for long-lived gRPC streams. Kestrel's defaults suit short HTTP requests: its
/// minimum body data rate resets a quiet bidi stream after a few seconds, its body size limit counts
/// a stream's whole life, and its 100 streams per connection halve throughput at 256 callers.
/// </summary>
public sealed class GrpcKestrelLimits
{
    /// <summary>Concurrent HTTP/2 streams per connection (etcd: unlimited). Kept below int.MaxValue / 2:
    /// Kestrel tracks twice this many streams.</summary>
    public int MaxStreamsPerConnection { get; set; } = 65_536;

    /// <summary>HTTP/2 connection flow-control window the server grants clients.</summary>
    public int InitialConnectionWindowSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>HTTP/2 per-stream flow-control window the server grants clients.</summary>
    public int InitialStreamWindowSize { get; set; } = 1024 * 1024;

    /// <summary>How long a new cleartext connection may take to send enough bytes to tell HTTP/2 from HTTP/1.1.</summary>
    public TimeSpan ProtocolSniffTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
