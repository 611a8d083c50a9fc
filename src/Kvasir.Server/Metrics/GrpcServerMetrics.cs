using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Kvasir.Grpc;
using Kvasir.Grpc.Server;
using Microsoft.AspNetCore.Http;

namespace Kvasir.Server.Metrics;

/// <summary>
/// grpc-go's server metrics as etcd exports them (go-grpc-prometheus) and etcd's per-call counter:
/// <c>grpc_server_started_total</c>, <c>grpc_server_handled_total{grpc_code}</c>,
/// <c>grpc_server_msg_received_total</c>, <c>grpc_server_msg_sent_total</c> (labels
/// <c>grpc_type</c>, <c>grpc_service</c>, <c>grpc_method</c>), <c>grpc_server_handling_seconds</c>
/// with <c>--metrics=extensive</c>, and <c>etcd_server_client_requests_total{type,
/// client_api_version}</c>. A call bumps plain counters of its method (one dictionary lookup, then
/// atomic increments); the labelled series are built when /metrics is scraped. Every method
/// registered starts with its series at zero, as go-grpc-prometheus initializes them.
/// </summary>
public sealed class GrpcServerMetrics : IGrpcServerObserver
{
    private const int CodeCount = 17;

    // grpc-go's codes.Code names (note "Canceled").
    private static readonly string[] CodeNames =
    [
        "OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists", "PermissionDenied",
        "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated",
    ];

    // etcd's streaming methods; every other method a member serves is unary.
    private static readonly Dictionary<string, MethodType> Streams = new(StringComparer.Ordinal)
    {
        ["/etcdserverpb.Watch/Watch"] = MethodType.DuplexStreaming,
        ["/etcdserverpb.Lease/LeaseKeepAlive"] = MethodType.DuplexStreaming,
        ["/etcdserverpb.Maintenance/Snapshot"] = MethodType.ServerStreaming,
        ["/v3electionpb.Election/Observe"] = MethodType.ServerStreaming,
        ["/grpc.health.v1.Health/Watch"] = MethodType.ServerStreaming,
    };

    private readonly ConcurrentDictionary<string, MethodCounts> _methods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ClientVersionCounts> _clientVersions = new(StringComparer.Ordinal);
    private readonly Histogram<double>? _handling;

    /// <param name="handlingHistogram">True for <c>--metrics=extensive</c>: record <c>grpc_server_handling_seconds</c>.</param>
    public GrpcServerMetrics(Meter meter, bool handlingHistogram = false)
    {
        ArgumentNullException.ThrowIfNull(meter);
        meter.CreateObservableCounter("grpc_server_started_total", Started, description: "Total number of RPCs started on the server.");
        meter.CreateObservableCounter("grpc_server_handled_total", Handled, description: "Total number of RPCs completed on the server, regardless of success or failure.");
        meter.CreateObservableCounter("grpc_server_msg_received_total", Received, description: "Total number of RPC stream messages received on the server.");
        meter.CreateObservableCounter("grpc_server_msg_sent_total", Sent, description: "Total number of gRPC stream messages sent by the server.");
        meter.CreateObservableCounter("etcd_server_client_requests_total", ClientRequests, description: "The total number of client requests per client version.");
        if (handlingHistogram)
        {
            _handling = meter.CreateHistogram(
                "grpc_server_handling_seconds",
                "s",
                "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.",
                [new(MetricFamily.LabelledOnly, true)],
                new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        }
    }

    /// <summary>The method type etcd's server gives <paramref name="path"/> (streams by name, the rest unary).</summary>
    public static MethodType TypeOf(string path) => Streams.TryGetValue(path, out var type) ? type : MethodType.Unary;

    /// <summary>Creates the series of every method at zero (go-grpc-prometheus' InitializeMetrics).</summary>
    public void Initialize(IEnumerable<string> methodPaths)
    {
        ArgumentNullException.ThrowIfNull(methodPaths);
        foreach (var path in methodPaths)
        {
            Counts(path, TypeOf(path));
        }
    }

    public void CallStarted(string method, MethodType type)
    {
        var counts = Counts(method, type);
        counts.Started();
        if (type == MethodType.Unary)
        {
            // A unary call's request is its one received message.
            counts.Received();
        }
    }

    public void CallCompleted(string method, MethodType type, StatusCode code, TimeSpan elapsed)
    {
        var counts = Counts(method, type);
        counts.Handled(code);
        if (type == MethodType.Unary && code == StatusCode.OK)
        {
            counts.Sent();
        }

        _handling?.Record(elapsed.TotalSeconds, counts.Tags);
    }

    /// <summary>A message received on a stream of <paramref name="method"/>.</summary>
    public void MessageReceived(string method) => Counts(method, TypeOf(method)).Received();

    /// <summary>A message sent on a stream of <paramref name="method"/>.</summary>
    public void MessageSent(string method) => Counts(method, TypeOf(method)).Sent();

    public void StreamMessagesReceived(string method, int count) => Counts(method, TypeOf(method)).Received(count);

    public void StreamMessagesSent(string method, int count) => Counts(method, TypeOf(method)).Sent(count);

    /// <summary>etcd's interceptors count each call by kind and the client's <c>client-api-version</c> ("unknown" without one).</summary>
    public void ClientRequest(MethodType type, string? apiVersion)
    {
        var version = string.IsNullOrEmpty(apiVersion) ? "unknown" : apiVersion;
        if (!_clientVersions.TryGetValue(version, out var counts))
        {
            counts = _clientVersions.GetOrAdd(version, static v => new ClientVersionCounts(v));
        }

        counts.Add(type == MethodType.Unary);
    }

    /// <summary>Middleware step before the gRPC router: counts a gRPC call of a known method by its <c>client-api-version</c>.</summary>
    public void ObserveGrpcRequest(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var request = http.Request;
        if (request.ContentType is { } contentType && contentType.StartsWith("application/grpc", StringComparison.Ordinal)
            && _methods.TryGetValue(request.Path.Value ?? "", out var counts))
        {
            var version = request.Headers["client-api-version"];
            ClientRequest(counts.Type, version.Count > 0 ? version[0] : null);
        }
    }

    private MethodCounts Counts(string method, MethodType type) =>
        _methods.TryGetValue(method, out var counts) ? counts : _methods.GetOrAdd(method, static (m, t) => new MethodCounts(m, t), type);

    private IEnumerable<Measurement<long>> Started()
    {
        foreach (var counts in _methods.Values)
        {
            yield return new Measurement<long>(counts.StartedCount, counts.Tags);
        }
    }

    private IEnumerable<Measurement<long>> Handled()
    {
        foreach (var counts in _methods.Values)
        {
            for (var code = 0; code < CodeCount; code++)
            {
                yield return new Measurement<long>(counts.HandledCount(code), counts.CodeTags(code));
            }
        }
    }

    private IEnumerable<Measurement<long>> Received()
    {
        foreach (var counts in _methods.Values)
        {
            yield return new Measurement<long>(counts.ReceivedCount, counts.Tags);
        }
    }

    private IEnumerable<Measurement<long>> Sent()
    {
        foreach (var counts in _methods.Values)
        {
            yield return new Measurement<long>(counts.SentCount, counts.Tags);
        }
    }

    private IEnumerable<Measurement<long>> ClientRequests()
    {
        foreach (var counts in _clientVersions.Values)
        {
            if (counts.Unary > 0)
            {
                yield return new Measurement<long>(counts.Unary, new("type", "unary"), new("client_api_version", counts.Version));
            }

            if (counts.Stream > 0)
            {
                yield return new Measurement<long>(counts.Stream, new("type", "stream"), new("client_api_version", counts.Version));
            }
        }
    }

    private sealed class MethodCounts
    {
        private readonly long[] _handled = new long[CodeCount];
        private readonly KeyValuePair<string, object?>[][] _codeTags = new KeyValuePair<string, object?>[CodeCount][];
        private long _started;
        private long _received;
        private long _sent;

        public MethodCounts(string path, MethodType type)
        {
            Type = type;
            var slash = path.LastIndexOf('/');
            var service = slash > 0 ? path[1..slash] : path;
            var method = path[(slash + 1)..];
            var grpcType = type switch
            {
                MethodType.Unary => "unary",
                MethodType.ServerStreaming => "server_stream",
                MethodType.ClientStreaming => "client_stream",
                _ => "bidi_stream",
            };
            Tags = [new("grpc_method", method), new("grpc_service", service), new("grpc_type", grpcType)];
            for (var code = 0; code < CodeCount; code++)
            {
                _codeTags[code] = [new("grpc_code", CodeNames[code]), .. Tags];
            }
        }

        public MethodType Type { get; }

        public KeyValuePair<string, object?>[] Tags { get; }

        public long StartedCount => Volatile.Read(ref _started);

        public long ReceivedCount => Volatile.Read(ref _received);

        public long SentCount => Volatile.Read(ref _sent);

        public void Started() => Interlocked.Increment(ref _started);

        public void Received(int count = 1) => Interlocked.Add(ref _received, count);

        public void Sent(int count = 1) => Interlocked.Add(ref _sent, count);

        public void Handled(StatusCode code) => Interlocked.Increment(ref _handled[Math.Clamp((int)code, 0, CodeCount - 1)]);

        public long HandledCount(int code) => Volatile.Read(ref _handled[code]);

        public KeyValuePair<string, object?>[] CodeTags(int code) => _codeTags[code];
    }

    private sealed class ClientVersionCounts(string version)
    {
        private long _unary;
        private long _stream;

        public string Version { get; } = version;

        public long Unary => Volatile.Read(ref _unary);

        public long Stream => Volatile.Read(ref _stream);

        public void Add(bool unary)
        {
            if (unary)
            {
                Interlocked.Increment(ref _unary);
            }
            else
            {
                Interlocked.Increment(ref _stream);
            }
        }
    }
}
