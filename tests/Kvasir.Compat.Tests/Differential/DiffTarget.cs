using System.Globalization;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Grpc.Client;

namespace Kvasir.Compat.Tests.Differential;

/// <summary>
/// One server the differential test talks to through the Kvasir.Grpc client. Operations that keep
/// state per server (a watch stream) keep it in <see cref="State"/>. Leases are known by logical
/// names (<see cref="DiffModel.LeaseHandles"/>): a client-chosen id is its own name, a server-chosen
/// one is mapped to the name of the grant that made it, so answers compare across servers.
/// </summary>
public sealed partial class DiffTarget(string name, string endpoint) : IDisposable
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));

    private readonly Dictionary<string, long> _leaseIds = [];
    private readonly Dictionary<long, string> _leaseNames = [];

    public string Name { get; } = name;

    /// <summary>host:port of the server's client URL.</summary>
    public string Endpoint { get; } = endpoint;

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
            return MaskLeases(Render(response));
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

    /// <summary>Records that the grant named <paramref name="handle"/> made lease <paramref name="id"/> here.</summary>
    public void NameLease(string handle, long id)
    {
        _leaseIds[handle] = id;
        _leaseNames[id] = handle;
    }

    /// <summary>
    /// The id a lease name stands for here: a client-chosen id (<c>c&lt;n&gt;</c>) is itself; a
    /// server-chosen one is this server's; a grant that failed leaves an id no server has granted.
    /// </summary>
    public long LeaseId(string handle)
    {
        if (handle.StartsWith('c'))
        {
            return long.Parse(handle.AsSpan(1), CultureInfo.InvariantCulture);
        }

        return _leaseIds.TryGetValue(handle, out var id) ? id : 0x7E00_0000_0000 + long.Parse(handle.AsSpan(1), CultureInfo.InvariantCulture);
    }

    /// <summary>A lease id as the name both servers know it by (0 stays 0).</summary>
    public string LeaseName(long id) =>
        id == 0 ? "0" : _leaseNames.TryGetValue(id, out var handle) ? handle : id.ToString(CultureInfo.InvariantCulture);

    /// <summary>Replaces lease ids (the fields <c>ID</c> and <c>lease</c>) in a rendered answer by their names.</summary>
    public string MaskLeases(string json) =>
        LeaseField().Replace(json, m => $"\"{m.Groups[1].Value}\": \"{LeaseName(long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))}\"");

    public void Dispose()
    {
        foreach (var state in State.Values)
        {
            (state as IDisposable)?.Dispose();
        }

        Channel.Dispose();
    }

    [GeneratedRegex("\"(ID|lease)\": \"(-?[0-9]+)\"")]
    private static partial Regex LeaseField();
}
