using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Server.Services;
using Kvasir.Server.Tests.Support;
using Kvasir.Testing;

namespace Kvasir.Server.Tests.Process;

/// <summary>Bad requests to a real kvasir: each gets etcd's error (code and text) and changes nothing.</summary>
public sealed class BadInputTests(BadInputTests.Member fixture) : IClassFixture<BadInputTests.Member>
{
    private readonly KvasirProcess _member = fixture.Process;
    private readonly Kv _kv = fixture.Kv;

    [Fact]
    public async Task Put_OverMaxRequestBytes_RequestTooLarge()
    {
        var put = new PutRequest { Key = Kv.B("big"), Value = ByteString.CopyFrom(new byte[(int)(1.6 * 1024 * 1024)]) };
        await AssertRefusedAsync(EtcdMethods.Put, put, StatusCode.InvalidArgument, "etcdserver: request is too large");
    }

    [Fact]
    public async Task Put_OverTheGrpcLimit_ResourceExhaustedBeforeItIsRead()
    {
        var put = new PutRequest { Key = Kv.B("huge"), Value = ByteString.CopyFrom(new byte[3 * 1024 * 1024]) };
        var (code, message) = await _kv.StatusOfAsync(EtcdMethods.Put, put);
        Assert.Equal(StatusCode.ResourceExhausted, code);
        Assert.StartsWith("grpc: received message larger than max", message, StringComparison.Ordinal);
        await AssertUnchangedAsync();
    }

    [Fact]
    public async Task Txn_TooManyOps_Refused()
    {
        var txn = new TxnRequest();
        for (var i = 0; i < 129; i++)
        {
            txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Kv.B($"t{i}"), Value = Kv.B("v") } });
        }

        await AssertRefusedAsync(EtcdMethods.Txn, txn, StatusCode.InvalidArgument, "etcdserver: too many operations in txn request");
    }

    [Fact]
    public async Task EmptyKey_EveryKvCall_KeyIsNotProvided()
    {
        const string message = "etcdserver: key is not provided";
        await AssertRefusedAsync(EtcdMethods.Put, new PutRequest { Value = Kv.B("v") }, StatusCode.InvalidArgument, message);
        await AssertRefusedAsync(EtcdMethods.Range, new RangeRequest(), StatusCode.InvalidArgument, message);
        await AssertRefusedAsync(EtcdMethods.DeleteRange, new DeleteRangeRequest(), StatusCode.InvalidArgument, message);
        var txn = new TxnRequest { Compare = { new Compare { Target = Compare.Types.CompareTarget.Version } } };
        await AssertRefusedAsync(EtcdMethods.Txn, txn, StatusCode.InvalidArgument, message);
    }

    [Fact]
    public async Task Put_UnknownLease_LeaseNotFound()
    {
        await AssertRefusedAsync(EtcdMethods.Put, new PutRequest { Key = Kv.B("k"), Value = Kv.B("v"), Lease = 12345 }, StatusCode.NotFound, "etcdserver: requested lease not found");
    }

    [Fact]
    public async Task Put_MalformedProtobufBytes_InternalAndNothingChanges()
    {
        using var handler = new SocketsHttpHandler();
        using var http = new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        // A gRPC frame whose payload is not a PutRequest: field 1 claims 100 bytes and there are 3.
        byte[] payload = [0x0A, 0x64, 0x01, 0x02, 0x03];
        var frame = new byte[5 + payload.Length];
        frame[4] = (byte)payload.Length;
        payload.CopyTo(frame, 5);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_member.ClientUrl}/etcdserverpb.KV/Put") { Content = new ByteArrayContent(frame), Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        var status = response.Headers.TryGetValues("grpc-status", out var h) ? h.First() : response.TrailingHeaders.GetValues("grpc-status").First();
        var message = response.Headers.TryGetValues("grpc-message", out var m) ? m.First() : response.TrailingHeaders.GetValues("grpc-message").First();
        Assert.Equal(("13", "grpc: error unmarshalling request: unexpected EOF"), (status, Uri.UnescapeDataString(message)));
        await AssertUnchangedAsync();
    }

    [Fact]
    public async Task Range_HasLeaderMetadataWithALeader_Served()
    {
        var options = new Kvasir.Grpc.Client.CallOptions { Headers = new Metadata().Add("hasleader", "true"), Deadline = DateTime.UtcNow.AddSeconds(20) };
        var response = await _kv.Channel.UnaryAsync(EtcdMethods.Range, new RangeRequest { Key = Kv.B("existing") }, options);
        Assert.Equal(1, response.Count);
    }

    private async Task AssertRefusedAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, StatusCode code, string message)
    {
        Assert.Equal((code, message), await _kv.StatusOfAsync(method, request));
        await AssertUnchangedAsync();
    }

    // Only the put made at the start: revision 2, one key.
    private async Task AssertUnchangedAsync()
    {
        var all = await _kv.RangeAsync("\0", "\0");
        Assert.Equal(2, all.Header.Revision);
        Assert.Equal(1, all.Count);
    }

    /// <summary>One member for the class, holding one key; no test may change it.</summary>
    public sealed class Member : IAsyncLifetime
    {
        public KvasirProcess Process { get; private set; } = null!;

        public Kv Kv { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Process = await KvasirProcess.StartAsync();
            Kv = new Kv(Process.Endpoint);
            await Kv.PutAsync("existing", "value");
        }

        public async Task DisposeAsync()
        {
            Kv.Dispose();
            await Process.DisposeAsync();
        }
    }
}
