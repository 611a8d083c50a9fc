using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvasir.Grpc.Server;

/// <summary>
/// The server's routing table, <c>/package.Service/Method</c> → handler, filled once at start-up
/// and frozen at the first request (no reflection, one dictionary lookup per call). Used as
/// ASP.NET Core middleware (<see cref="GrpcApplicationBuilderExtensions.UseGrpc"/>): gRPC requests
/// are answered here, everything else falls through to the next middleware.
/// </summary>
public sealed partial class GrpcRouter
{
    private readonly Dictionary<string, ServerMethod> _methods = new(StringComparer.Ordinal);
    private readonly GrpcServerOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private FrozenDictionary<string, ServerMethod>? _table;
    private FrozenSet<string> _services = FrozenSet<string>.Empty;

    public GrpcRouter(GrpcServerOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? new GrpcServerOptions();
        _options.Validate();
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Kvasir.Grpc.Server");
    }

    /// <summary>The paths served, in no particular order.</summary>
    public IReadOnlyCollection<string> Methods
    {
        get
        {
            lock (_gate)
            {
                return [.. _methods.Keys];
            }
        }
    }

    public GrpcRouter AddUnary<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler) =>
        Add(method, MethodType.Unary, new UnaryMethod<TRequest, TResponse>(method, handler ?? throw new ArgumentNullException(nameof(handler))));

    public GrpcRouter AddServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler) =>
        Add(method, MethodType.ServerStreaming, new ServerStreamingMethod<TRequest, TResponse>(method, handler ?? throw new ArgumentNullException(nameof(handler))));

    public GrpcRouter AddClientStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler) =>
        Add(method, MethodType.ClientStreaming, new ClientStreamingMethod<TRequest, TResponse>(method, handler ?? throw new ArgumentNullException(nameof(handler))));

    public GrpcRouter AddDuplexStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler) =>
        Add(method, MethodType.DuplexStreaming, new DuplexStreamingMethod<TRequest, TResponse>(method, handler ?? throw new ArgumentNullException(nameof(handler))));

    /// <summary>The frozen table, built on first use; afterwards the table cannot change.</summary>
    private FrozenDictionary<string, ServerMethod> Table => Volatile.Read(ref _table) ?? Freeze();

    private GrpcRouter Add<TRequest, TResponse>(Method<TRequest, TResponse> method, MethodType expected, ServerMethod entry)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method.Type != expected)
        {
            throw new ArgumentException($"{method.FullName} is a {method.Type} method, not {expected}", nameof(method));
        }

        lock (_gate)
        {
            if (_table is not null)
            {
                throw new InvalidOperationException($"cannot add {method.FullName}: the routing table is fixed once the server has served a request");
            }

            if (!_methods.TryAdd(method.FullName, entry))
            {
                throw new ArgumentException($"{method.FullName} is already routed", nameof(method));
            }
        }

        return this;
    }

    private FrozenDictionary<string, ServerMethod> Freeze()
    {
        lock (_gate)
        {
            if (_table is null)
            {
                var services = new HashSet<string>(StringComparer.Ordinal);
                foreach (var path in _methods.Keys)
                {
                    services.Add(path[1..path.LastIndexOf('/')]);
                }

                _services = services.ToFrozenSet(StringComparer.Ordinal);
                Volatile.Write(ref _table, _methods.ToFrozenDictionary(StringComparer.Ordinal));
            }

            return _table;
        }
    }
}
