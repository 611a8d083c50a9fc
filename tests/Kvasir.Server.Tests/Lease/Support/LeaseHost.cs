using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Server.Lease;
using Kvasir.Server.Services;
using Kvasir.Storage.Mvcc;
using Kvasir.Testing;
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
    private readonly LoopbackGrpcServer _server;

    private LeaseHost(LoopbackGrpcServer server, TempDir dir, TestMember member, MvccStore store, Lessor lessor, DirectApplier applier)
    {
        Member = member;
        _server = server;
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
    public string Endpoint => _server.Endpoint;

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

        var server = await LoopbackGrpcServer.StartAsync(router =>
        {
            service.Register(router);
            router.AddUnary(EtcdMethods.Put, (request, context) => new ValueTask<PutResponse>(Applied<PutResponse>(applier, member, new InternalRaftRequest { Put = request })));
            router.AddUnary(EtcdMethods.DeleteRange, (request, context) => new ValueTask<DeleteRangeResponse>(Applied<DeleteRangeResponse>(applier, member, new InternalRaftRequest { DeleteRange = request })));
            router.AddUnary(EtcdMethods.Range, (request, context) =>
            {
                var r = store.Range(request);
                if (r.Error is { } error)
                {
                    throw LeaseService.Fail(error);
                }

                r.Response!.Header = member.Header(r.Response.Header.Revision);
                return new ValueTask<RangeResponse>(r.Response);
            });
        }).ConfigureAwait(false);
        return new LeaseHost(server, dir, member, store, lessor, applier);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync().ConfigureAwait(false);
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
