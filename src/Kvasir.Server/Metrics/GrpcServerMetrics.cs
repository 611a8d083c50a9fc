using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Kvasir.Grpc;
using Kvasir.Grpc.Server;

namespace Kvasir.Server.Metrics;

/// <summary>
/// grpc-go's server metrics as etcd exports them (go-grpc-prometheus): grpc_server_started_total and
/// grpc_server_handled_total{grpc_type, grpc_service, grpc_method[, grpc_code]}. Calls bump plain
/// counters per method; the tagged series are built only when /metrics is scraped.
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

    private readonly ConcurrentDictionary<string, MethodCounts> _methods = new(StringComparer.Ordinal);

    public GrpcServerMetrics(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        meter.CreateObservableCounter("grpc_server_started_total", Started, description: "Total number of RPCs started on the server.");
        meter.CreateObservableCounter("grpc_server_handled_total", Handled, description: "Total number of RPCs completed on the server, regardless of success or failure.");
    }

    public void CallStarted(string method, MethodType type) => Counts(method, type).Started();

    public void CallCompleted(string method, MethodType type, StatusCode code, TimeSpan elapsed) => Counts(method, type).Handled(code);

    private MethodCounts Counts(string method, MethodType type) =>
        _methods.TryGetValue(method, out var counts) ? counts : _methods.GetOrAdd(method, static (m, t) => new MethodCounts(m, t), type);

    private IEnumerable<Measurement<long>> Started()
    {
        foreach (var counts in _methods.Values)
        {
            yield return new Measurement<long>(counts.StartedCount, counts.Tags());
        }
    }

    private IEnumerable<Measurement<long>> Handled()
    {
        foreach (var counts in _methods.Values)
        {
            for (var code = 0; code < CodeCount; code++)
            {
                var n = counts.HandledCount(code);
                if (n > 0)
                {
                    yield return new Measurement<long>(n, [.. counts.Tags(), new KeyValuePair<string, object?>("grpc_code", CodeNames[code])]);
                }
            }
        }
    }

    private sealed class MethodCounts
    {
        private readonly long[] _handled = new long[CodeCount];
        private readonly string _service;
        private readonly string _method;
        private readonly string _type;
        private long _started;

        public MethodCounts(string path, MethodType type)
        {
            var slash = path.LastIndexOf('/');
            _service = path[1..slash];
            _method = path[(slash + 1)..];
            _type = type switch
            {
                MethodType.Unary => "unary",
                MethodType.ServerStreaming => "server_stream",
                MethodType.ClientStreaming => "client_stream",
                _ => "bidi_stream",
            };
        }

        public long StartedCount => Volatile.Read(ref _started);

        public void Started() => Interlocked.Increment(ref _started);

        public void Handled(StatusCode code) => Interlocked.Increment(ref _handled[Math.Clamp((int)code, 0, CodeCount - 1)]);

        public long HandledCount(int code) => Volatile.Read(ref _handled[code]);

        public KeyValuePair<string, object?>[] Tags() =>
        [
            new("grpc_method", _method),
            new("grpc_service", _service),
            new("grpc_type", _type),
        ];
    }
}
