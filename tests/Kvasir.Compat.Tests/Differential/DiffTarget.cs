using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Grpc.Client;

namespace Kvasir.Compat.Tests.Differential;

/// <summary>
/// One server the differential test talks to through the Kvasir.Grpc client. Operations that keep
/// state per server (a lease's id, a watch stream) keep it in <see cref="State"/>.
/// </summary>
public sealed class DiffTarget(string name, string endpoint) : IDisposable
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));

    public string Name { get; } = name;

    public GrpcChannel Channel { get; } = GrpcChannel.ForEndpoints(endpoint);

    /// <summary>Per-server state of stateful operations, by the operation kind's own key.</summary>
    public Dictionary<string, object> State { get; } = [];

    /// <summary>Calls a unary method and renders the answer as comparable text (see <see cref="Render"/>).</summary>
    public async Task<string> CallAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request)
        where TResponse : IMessage
    {
        try
        {
            var response = await Channel.UnaryAsync(method, request, new CallOptions { Deadline = DateTime.UtcNow.AddSeconds(15) });
            return Render(response);
        }
        catch (RpcException e)
        {
            return $"error {e.StatusCode}: {e.Message}";
        }
    }

    /// <summary>
    /// A response as JSON with what differs between any two members by nature left out: the
    /// header's cluster id, member id and raft term. Revisions, keys, values, counts and flags stay.
    /// </summary>
    public static string Render(IMessage response)
    {
        var copy = response.Descriptor.Parser.ParseFrom(response.ToByteArray());
        var header = copy.Descriptor.FindFieldByName("header");
        if (header?.Accessor.GetValue(copy) is ResponseHeader h)
        {
            h.ClusterId = 0;
            h.MemberId = 0;
            h.RaftTerm = 0;
        }

        return Json.Format(copy);
    }

    public void Dispose() => Channel.Dispose();
}
