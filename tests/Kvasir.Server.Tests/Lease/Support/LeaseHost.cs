using System.Net;
using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Grpc.Hosting;
using Kvasir.Grpc.Server;
using Kvasir.Server.Lease;
using Kvasir.Storage.Mvcc;
using Kvasir.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvasir.Server.Tests.Lease.Support;

/// <summary>
/// The Lease service on a loopback Kestrel port, over a real MVCC store, with a tiny KV (Put, Range,
/// DeleteRange) applied through the same direct applier: enough of a member for etcdctl's lease commands
/// and <c>put --lease</c>. The lessor runs its own loop on the clock given to StartAsync.
/// </summary>
internal sealed class LeaseHost : IAsyncDisposable
{
    private readonly TempDir _dir;
    private readonly WebApplication _app;
    private readonly ListenOptions _listen;

    private LeaseHost(WebApplication app, ListenOptions listen, TempDir dir, TestMember member, MvccStore store, Lessor lessor, DirectApplier applier)
    {
        Member = member;
        _app = app;
        _listen = listen;
        _dir = dir;
        Store = store;
        Lessor = lessor;
        Applier = applier;
    }

    public TestMember Member { get; }

    public MvccStore Store { get; }

    public Lessor Lessor { get; }

    public DirectApplier Applier { get; }

    /// <summary>host:port, as etcdctl takes it.</summary>
    public string Endpoint => $"127.0.0.1:{_listen.IPEndPoint!.Port}";

    public static readonly Method<RangeRequest, RangeResponse> Range = Method.Create(MethodType.Unary, "etcdserverpb.KV", "Range", RangeRequest.Parser, RangeResponse.Parser);
    public static readonly Method<PutRequest, PutResponse> Put = Method.Create(MethodType.Unary, "etcdserverpb.KV", "Put", PutRequest.Parser, PutResponse.Parser);
    public static readonly Method<DeleteRangeRequest, DeleteRangeResponse> DeleteRange = Method.Create(MethodType.Unary, "etcdserverpb.KV", "DeleteRange", DeleteRangeRequest.Parser, DeleteRangeResponse.Parser);

    public static async Task<LeaseHost> StartAsync(TimeProvider time, LessorOptions? options = null)
    {
        var dir = new TempDir("lease-host");
        var store = MvccStore.Open(new MvccOptions { Path = dir.Sub("db"), Time = time });
        var member = new TestMember();
        var lessor = new Lessor(store, member, options ?? new LessorOptions(), time, NullLoggerFactory.Instance);
        var applier = new DirectApplier(store, lessor);
        lessor.Start(applier);
        lessor.OnLeadershipChanged(true);
        var service = new LeaseService(lessor, applier, member);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpcTransport();
        ListenOptions? listen = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            GrpcKestrel.ApplyLimits(kestrel);
            listen = GrpcKestrel.ListenCleartext(kestrel, new IPEndPoint(IPAddress.Loopback, 0));
        });
        var app = builder.Build();
        var router = new GrpcRouter();
        service.Register(router);
        router.AddUnary(Put, (request, context) => new ValueTask<PutResponse>(Applied<PutResponse>(applier, member, new InternalRaftRequest { Put = request })));
        router.AddUnary(DeleteRange, (request, context) => new ValueTask<DeleteRangeResponse>(Applied<DeleteRangeResponse>(applier, member, new InternalRaftRequest { DeleteRange = request })));
        router.AddUnary(Range, (request, context) =>
        {
            var r = store.Range(request);
            if (r.Error is { } error)
            {
                throw LeaseService.Fail(error);
            }

            r.Response!.Header = member.Header(r.Response.Header.Revision);
            return new ValueTask<RangeResponse>(r.Response);
        });
        app.UseGrpc(router);
        await app.StartAsync().ConfigureAwait(false);
        var host = new LeaseHost(app, listen!, dir, member, store, lessor, applier);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(bound.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        Lessor.Dispose();
        Store.Dispose();
        _dir.Dispose();
    }

    private static T Applied<T>(DirectApplier applier, TestMember member, InternalRaftRequest request)
        where T : Google.Protobuf.IMessage
    {
        var result = applier.ProposeAsync(request, CancellationToken.None).GetAwaiter().GetResult();
        if (result.Error is { } error)
        {
            throw LeaseService.Fail(error);
        }

        switch (result.Response)
        {
            case PutResponse put:
                put.Header = member.Header(put.Header.Revision);
                break;
            case DeleteRangeResponse delete:
                delete.Header = member.Header(delete.Header.Revision);
                break;
        }

        return (T)result.Response!;
    }

    internal static EtcdError? ErrorOf(Exception e) => e is RpcException r ? new EtcdError((RpcCode)(int)r.StatusCode, r.Status.Detail) : null;
}
