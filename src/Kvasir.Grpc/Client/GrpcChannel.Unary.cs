using System.Buffers;
using Kvasir.Grpc.Protocol;

namespace Kvasir.Grpc.Client;

/// <summary>Unary calls.</summary>
public sealed partial class GrpcChannel
{
    /// <summary>
    /// Sends one request and returns the response. Throws <see cref="RpcException"/> for a status other
    /// than OK (DEADLINE_EXCEEDED past <see cref="CallOptions.Deadline"/>, UNAVAILABLE when no endpoint
    /// could be reached) and <see cref="OperationCanceledException"/> when the caller cancels.
    /// </summary>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(request);
        ExpectType(method.FullName, method.Type, MethodType.Unary);
        using var lifetime = CallLifetime.For(options, _timeProvider, abortable: false);
        for (var attempt = 1; ; attempt++)
        {
            var index = CurrentIndex;
            var content = new UnaryContent<TRequest>(method.RequestMarshaller, request).WithGrpcContentType();
            using var httpRequest = CreateRequest(_endpoints[index], method.FullName, options, lifetime, content);
            HttpResponseMessage? response = null;
            try
            {
                response = await Invoker.SendAsync(httpRequest, lifetime.Token).ConfigureAwait(false);
                return await ReadUnaryResponseAsync(response, method.ResponseMarshaller, lifetime.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                if (CallLifetime.NeverSent(e))
                {
                    Failover(index);
                    if (attempt < _endpoints.Length && !lifetime.Token.IsCancellationRequested)
                    {
                        continue;
                    }
                }

                var translated = lifetime.Translate(e);
                if (translated is RpcException { StatusCode: StatusCode.Unavailable })
                {
                    Failover(index);
                    if (options.Idempotent && attempt < _endpoints.Length && !lifetime.Token.IsCancellationRequested)
                    {
                        continue;
                    }
                }

                if (ReferenceEquals(translated, e))
                {
                    throw;
                }

                throw translated;
            }
            finally
            {
                response?.Dispose();
            }
        }
    }

    private static void ExpectType(string fullName, MethodType actual, MethodType expected)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"{fullName} is a {actual} method, not {expected}", "method");
        }
    }

    /// <summary>
    /// Reads a unary answer: the body to its end into one pooled buffer (the frame's length is checked
    /// against the limit as soon as its header is in), then the message, then the status in the trailers.
    /// </summary>
    private async Task<TResponse> ReadUnaryResponseAsync<TResponse>(HttpResponseMessage response, Marshaller<TResponse> marshaller, CancellationToken token)
    {
        if (ResponseStatus.FromHeaders(response) is { } early)
        {
            throw early.Code == StatusCode.OK
                ? new RpcException(StatusCode.Internal, "grpc: the server sent no response message")
                : new RpcException(early, ResponseStatus.Metadata(response.Headers));
        }

        var stream = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            var filled = 0;
            var checkedHeader = false;
            while (true)
            {
                if (filled == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await stream.ReadAsync(buffer.AsMemory(filled), token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                filled += read;
                if (!checkedHeader && filled >= GrpcProtocol.HeaderSize)
                {
                    checkedHeader = true;
                    if (Frames.TryRead(new ReadOnlySequence<byte>(buffer, 0, filled), _options.MaxReceiveMessageSize, out _, out _, out var invalid) == FrameResult.Invalid)
                    {
                        throw new RpcException(invalid);
                    }

                    var whole = GrpcProtocol.HeaderSize + (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(1));
                    if (whole > buffer.Length)
                    {
                        var exact = ArrayPool<byte>.Shared.Rent(whole);
                        buffer.AsSpan(0, filled).CopyTo(exact);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = exact;
                    }
                }
            }

            var body = new ReadOnlySequence<byte>(buffer, 0, filled);
            TResponse message = default!;
            var hasMessage = false;
            if (filled != 0)
            {
                switch (Frames.TryRead(body, _options.MaxReceiveMessageSize, out var payload, out var next, out var error))
                {
                    case FrameResult.Invalid:
                        throw new RpcException(error);
                    case FrameResult.Incomplete:
                        throw new RpcException(Frames.Truncated(filled));
                }

                if (!next.Equals(body.End))
                {
                    throw new RpcException(StatusCode.Internal, "grpc: more than one response message for a unary call");
                }

                try
                {
                    message = marshaller.Deserialize(payload);
                }
                catch (Exception e)
                {
                    throw new RpcException(Frames.Unparsable("response", e));
                }

                hasMessage = true;
            }

            var status = ResponseStatus.FromTrailers(response);
            if (status.Code != StatusCode.OK)
            {
                throw new RpcException(status, ResponseStatus.Metadata(response.TrailingHeaders));
            }

            return hasMessage ? message : throw new RpcException(StatusCode.Internal, "grpc: the server sent no response message");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
