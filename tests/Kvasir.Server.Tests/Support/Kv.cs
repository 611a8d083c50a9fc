using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Grpc.Client;
using Kvasir.Server.Services;

namespace Kvasir.Server.Tests.Support;

/// <summary>A small etcd KV client over the Kvasir.Grpc channel, for tests against a kvasir process.</summary>
public sealed class Kv(string endpoint) : IDisposable
{
    public GrpcChannel Channel { get; } = GrpcChannel.ForEndpoints(endpoint);

    public static ByteString B(string s) => ByteString.CopyFromUtf8(s);

    public Task<PutResponse> PutAsync(string key, string value, CancellationToken ct = default) =>
        CallAsync(EtcdMethods.Put, new PutRequest { Key = B(key), Value = B(value) }, ct);

    public Task<RangeResponse> RangeAsync(string key, string? rangeEnd = null, CancellationToken ct = default) =>
        CallAsync(EtcdMethods.Range, new RangeRequest { Key = B(key), RangeEnd = rangeEnd is null ? ByteString.Empty : B(rangeEnd) }, ct);

    public async Task<long> RevisionAsync() => (await RangeAsync("\0")).Header.Revision;

    public Task<TResponse> CallAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CancellationToken ct = default) =>
        Channel.UnaryAsync(method, request, new CallOptions { Deadline = DateTime.UtcNow.AddSeconds(20), CancellationToken = ct });

    /// <summary>The status a call ends with: (code, message) of the RpcException, or (OK, "") when it succeeds.</summary>
    public async Task<(StatusCode Code, string Message)> StatusOfAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request)
    {
        try
        {
            await CallAsync(method, request);
            return (StatusCode.OK, "");
        }
        catch (RpcException e)
        {
            return (e.StatusCode, e.Message);
        }
    }

    public void Dispose() => Channel.Dispose();
}
