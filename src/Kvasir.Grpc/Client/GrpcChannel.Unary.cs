using System.IO.Pipelines;
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
        using var lifetime = new CallLifetime(options, _timeProvider, abortable: false);
        for (var attempt = 1; ; attempt++)
        {
            var index = CurrentIndex;
            var content = new UnaryContent<TRequest>(method.RequestMarshaller, request).WithGrpcContentType();
            using var httpRequest = CreateRequest(_endpoints[index], method.FullName, options, lifetime, content);
            HttpResponseMessage? response = null;
            try
            {
                response = await _invoker.SendAsync(httpRequest, lifetime.Token).ConfigureAwait(false);
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

    private async Task<TResponse> ReadUnaryResponseAsync<TResponse>(HttpResponseMessage response, Marshaller<TResponse> marshaller, CancellationToken token)
    {
        if (ResponseStatus.FromHeaders(response) is { } early)
        {
            throw early.Code == StatusCode.OK
                ? new RpcException(StatusCode.Internal, "grpc: the server sent no response message")
                : new RpcException(early, ResponseStatus.Metadata(response.Headers));
        }

        var stream = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
        var reader = PipeReader.Create(stream, ReaderOptions);
        try
        {
            var first = await PipeFrames.ReadAsync(reader, marshaller, _options.MaxReceiveMessageSize, "response", token).ConfigureAwait(false);
            var end = first.HasMessage
                ? await PipeFrames.ReadAsync(reader, marshaller, _options.MaxReceiveMessageSize, "response", token).ConfigureAwait(false)
                : first;
            if (end.HasMessage)
            {
                throw new RpcException(StatusCode.Internal, "grpc: more than one response message for a unary call");
            }

            var status = ResponseStatus.FromTrailers(response);
            if (status.Code != StatusCode.OK)
            {
                throw new RpcException(status, ResponseStatus.Metadata(response.TrailingHeaders));
            }

            return first.HasMessage ? first.Message : throw new RpcException(StatusCode.Internal, "grpc: the server sent no response message");
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }
}
