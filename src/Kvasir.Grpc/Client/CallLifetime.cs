using Kvasir.Grpc.Protocol;

namespace Kvasir.Grpc.Client;

/// <summary>
/// The deadline and cancellation of one client call, and the translation of whatever the HTTP stack
/// throws into what the caller sees: <see cref="OperationCanceledException"/> when the caller
/// cancelled, DEADLINE_EXCEEDED when the deadline passed, UNAVAILABLE when the server could not be
/// reached or the connection broke, and the RST_STREAM code's meaning otherwise.
/// </summary>
internal sealed class CallLifetime : IDisposable
{
    private readonly CancellationToken _callerToken;
    private readonly CancellationTokenSource? _source;
    private readonly CancellationTokenRegistration _callerRegistration;
    private readonly TimeProvider _timeProvider;

    /// <param name="abortable">True when the call must be abortable on dispose (streaming calls), so a source is always made.</param>
    private CallLifetime(in CallOptions options, TimeProvider timeProvider, bool abortable)
    {
        _callerToken = options.CancellationToken;
        _timeProvider = timeProvider;
        Deadline = options.Deadline;
        if (Deadline is { } deadline)
        {
            // A deadline already past makes a call that fails with DEADLINE_EXCEEDED, sending nothing.
            var left = deadline - timeProvider.GetUtcNow().UtcDateTime;
            _source = left < TimeSpan.FromDays(49) ? new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.Zero, timeProvider) : new CancellationTokenSource();
        }
        else if (abortable)
        {
            _source = new CancellationTokenSource();
        }

        if (_source is not null && _callerToken.CanBeCanceled)
        {
            _callerRegistration = _callerToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _source);
        }

        Token = _source?.Token ?? _callerToken;
    }

    public DateTime? Deadline { get; }

    /// <summary>The lifetime of a call; a call with no deadline, no cancellation and no need to abort shares one
    /// stateless instance (nothing to dispose), so the common unary call allocates none.</summary>
    public static CallLifetime For(in CallOptions options, TimeProvider timeProvider, bool abortable) =>
        !abortable && options.Deadline is null && !options.CancellationToken.CanBeCanceled
            ? Unbounded
            : new CallLifetime(options, timeProvider, abortable);

    private static CallLifetime Unbounded { get; } = new(default, TimeProvider.System, abortable: false);

    /// <summary>Fires on the deadline, the caller's cancellation or <see cref="Abort"/>.</summary>
    public CancellationToken Token { get; }

    /// <summary>The <c>grpc-timeout</c> to send now, or null without a deadline.</summary>
    public string? TimeoutHeader()
    {
        if (Deadline is not { } deadline)
        {
            return null;
        }

        var left = deadline - _timeProvider.GetUtcNow().UtcDateTime;
        return left <= TimeSpan.Zero ? throw DeadlineExceeded() : GrpcTimeout.Format(left);
    }

    /// <summary>Cancels whatever the call is doing (the request is reset).</summary>
    public void Abort()
    {
        try
        {
            _source?.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        catch (AggregateException)
        {
            // A callback of the HTTP stack failed while cancelling; the call is being torn down regardless.
        }
    }

    /// <summary>What the caller should see for <paramref name="e"/>, thrown while the call ran.</summary>
    public Exception Translate(Exception e)
    {
        if (_callerToken.IsCancellationRequested)
        {
            return new OperationCanceledException("the call was cancelled by the caller", e, _callerToken);
        }

        if (Deadline is { } deadline && (e is OperationCanceledException || _timeProvider.GetUtcNow().UtcDateTime >= deadline))
        {
            return DeadlineExceeded();
        }

        return e switch
        {
            RpcException => e,
            OperationCanceledException => new RpcException(StatusCode.Cancelled, "the call was cancelled"),
            HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError } h =>
                new RpcException(StatusCode.Unavailable, h.Message),
            HttpProtocolException p => FromResetCode(p),
            HttpRequestException or IOException => new RpcException(StatusCode.Unavailable, e.Message),
            _ => e,
        };
    }

    /// <summary>True when the HTTP stack failed before the request could have reached a server, so retrying elsewhere is always safe.</summary>
    public static bool NeverSent(Exception e) =>
        e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError };

    public void Dispose()
    {
        _callerRegistration.Dispose();
        _source?.Dispose();
    }

    private static RpcException DeadlineExceeded() => new(StatusCode.DeadlineExceeded, "Deadline Exceeded");

    /// <summary>gRPC's mapping of an HTTP/2 RST_STREAM or GOAWAY error code to a status.</summary>
    private static RpcException FromResetCode(HttpProtocolException p) => p.ErrorCode switch
    {
        0x7 => new RpcException(StatusCode.Unavailable, p.Message), // REFUSED_STREAM: not processed
        0x8 => new RpcException(StatusCode.Cancelled, p.Message), // CANCEL
        0xb => new RpcException(StatusCode.ResourceExhausted, p.Message), // ENHANCE_YOUR_CALM
        0xc => new RpcException(StatusCode.PermissionDenied, p.Message), // INADEQUATE_SECURITY
        _ => new RpcException(StatusCode.Internal, p.Message),
    };
}
