using System.IO.Pipelines;
using Kvasir.Grpc.Protocol;

namespace Kvasir.Grpc.Client;

/// <summary>
/// The life of one streaming call: the HTTP request is sent at once (in the background; it completes
/// when the response headers arrive), request messages flow from the request stream's queue, response
/// messages are parsed from the response body on demand, and the status is read from the headers
/// (trailers-only) or the trailers. A call that could not connect is retried on the next endpoint
/// while none of its body has been sent. Dispose resets the stream (RST_STREAM), which is how a
/// client ends a watch on etcd.
/// </summary>
internal sealed class StreamingCall<TRequest, TResponse> : IStreamingCall<TResponse>
{
    private readonly GrpcChannel _channel;
    private readonly Method<TRequest, TResponse> _method;
    private readonly CallOptions _options;
    private readonly CallLifetime _lifetime;
    private readonly TRequest? _single;
    private readonly Task<HttpResponseMessage> _response;
    private HttpRequestMessage? _request;
    private PipeReader? _body;
    private Status? _status;
    private Metadata? _trailers;
    private int _index;
    private int _disposed;

    public StreamingCall(GrpcChannel channel, Method<TRequest, TResponse> method, bool streamsRequests, TRequest? single, in CallOptions options)
    {
        _channel = channel;
        _method = method;
        _options = options;
        _single = single;
        _lifetime = CallLifetime.For(options, channel.TimeProvider, abortable: true);
        Requests = streamsRequests ? new ClientRequestStream<TRequest>(channel.RequestStreamCapacity) : null;
        _response = SendAsync();
    }

    public ClientRequestStream<TRequest>? Requests { get; }

    public TResponse Current { get; private set; } = default!;

    public async Task<Metadata> ResponseHeadersAsync()
    {
        var response = await _response.ConfigureAwait(false);
        return ResponseStatus.Metadata(response.Headers);
    }

    public Status GetStatus() => _status ?? throw new InvalidOperationException("the call has not finished");

    public Metadata GetTrailers() => _trailers ?? (_status is null ? throw new InvalidOperationException("the call has not finished") : Metadata.Empty);

    /// <summary>Reads the next response message: false at the end of an OK call; throws <see cref="RpcException"/> for any other status.</summary>
    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        var response = await _response.ConfigureAwait(false);
        if (_status is { } decided)
        {
            return decided.Code == StatusCode.OK ? false : throw new RpcException(decided, _trailers);
        }

        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token) : null;
        var token = linked?.Token ?? _lifetime.Token;
        Received<TResponse> received;
        try
        {
            _body ??= PipeReader.Create(await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false), GrpcChannel.ReaderOptions);
            received = await PipeFrames.ReadAsync(_body, _method.ResponseMarshaller, _channel.MaxReceiveMessageSize, "response", token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await CompleteBodyAsync().ConfigureAwait(false);
            var translated = _lifetime.Translate(e);
            Finish(translated is RpcException rpc ? rpc.Status : new Status(StatusCode.Cancelled, "the call was cancelled"), null);
            _lifetime.Abort();
            throw translated;
        }

        if (received.HasMessage)
        {
            Current = received.Message;
            return true;
        }

        await CompleteBodyAsync().ConfigureAwait(false);
        var status = ResponseStatus.FromTrailers(response);
        Finish(status, status.Code == StatusCode.OK ? null : ResponseStatus.Metadata(response.TrailingHeaders));
        return status.Code == StatusCode.OK ? false : throw new RpcException(status, _trailers);
    }

    /// <summary>The one response of a client-streaming call.</summary>
    public async Task<TResponse> ReadSingleAsync()
    {
        if (!await MoveNextAsync(CancellationToken.None).ConfigureAwait(false))
        {
            throw new RpcException(StatusCode.Internal, "grpc: the server sent no response message");
        }

        var response = Current;
        if (await MoveNextAsync(CancellationToken.None).ConfigureAwait(false))
        {
            throw new RpcException(StatusCode.Internal, "grpc: more than one response message for a client-streaming call");
        }

        return response;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // The response first: disposing an unfinished HTTP/2 response resets the stream (RST_STREAM CANCEL).
        if (_response.IsCompletedSuccessfully)
        {
            _response.Result.Dispose();
        }

        _lifetime.Abort();
        Requests?.Close(null);
        _request?.Dispose();
        _lifetime.Dispose();
    }

    /// <summary>Returns the body reader's pooled buffers once no more messages will be read.</summary>
    private async ValueTask CompleteBodyAsync()
    {
        if (_body is { } body)
        {
            _body = null;
            await body.CompleteAsync().ConfigureAwait(false);
        }
    }

    private void Finish(Status status, Metadata? trailers)
    {
        _status ??= status;
        _trailers ??= trailers;
        if (status.Code == StatusCode.Unavailable)
        {
            _channel.Failover(_index);
        }

        Requests?.Close(status.Code == StatusCode.OK ? null : new RpcException(status, trailers));
    }

    private async Task<HttpResponseMessage> SendAsync()
    {
        // Yield so the constructor returns (and the caller can queue its first message) before any I/O.
        await Task.Yield();
        for (var attempt = 1; ; attempt++)
        {
            _index = _channel.CurrentIndex;
            HttpContent content = Requests is null
                ? new UnaryContent<TRequest>(_method.RequestMarshaller, _single!).WithGrpcContentType()
                : new StreamingContent<TRequest>(Requests.Reader, _method.RequestMarshaller).WithGrpcContentType();
            _request?.Dispose();
            try
            {
                _request = _channel.CreateRequest(_channel.EndpointAt(_index), _method.FullName, _options, _lifetime, content);
                var response = await _channel.Invoker.SendAsync(_request!, _lifetime.Token).ConfigureAwait(false);
                if (ResponseStatus.FromHeaders(response) is { } early)
                {
                    Finish(early, early.Code == StatusCode.OK ? null : ResponseStatus.Metadata(response.Headers));
                }

                return response;
            }
            catch (Exception e)
            {
                var resendable = content is not StreamingContent<TRequest> { Started: true };
                if (CallLifetime.NeverSent(e) && resendable)
                {
                    _channel.Failover(_index);
                    if (attempt < _channel.EndpointCount && !_lifetime.Token.IsCancellationRequested)
                    {
                        continue;
                    }
                }

                var translated = _lifetime.Translate(e);
                Finish(translated is RpcException rpc ? rpc.Status : new Status(StatusCode.Cancelled, "the call was cancelled"), null);
                throw translated;
            }
        }
    }
}
