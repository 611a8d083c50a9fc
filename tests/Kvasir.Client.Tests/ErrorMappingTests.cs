using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Client.Internal;
using Kvasir.Grpc;

namespace Kvasir.Client.Tests;

/// <summary>Server answers become <see cref="EtcdException"/> carrying the catalogue entry of their text.</summary>
public sealed class ErrorMappingTests
{
    [Fact]
    public void From_EveryCatalogueText_FindsItsEntry()
    {
        foreach (var error in EtcdErrors.All)
        {
            var e = EtcdException.From(new RpcException((StatusCode)(int)error.Code, error.Message));
            Assert.Same(error, e.Error);
            Assert.Equal(error.Message, e.Message);
            Assert.Equal((StatusCode)(int)error.Code, e.StatusCode);
        }
    }

    [Fact]
    public void From_Compacted_IsTheCompactedSubclass()
    {
        var e = EtcdException.From(new RpcException(StatusCode.OutOfRange, EtcdErrors.Compacted.Message));
        var compacted = Assert.IsType<EtcdCompactedException>(e);
        Assert.Equal(0, compacted.CompactRevision);
    }

    [Fact]
    public void From_UnknownText_HasNoEntryButKeepsCodeAndText()
    {
        var e = EtcdException.From(new RpcException(StatusCode.Unavailable, "connection refused"));
        Assert.Null(e.Error);
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.Equal("connection refused", e.Message);
    }

    [Theory]
    [InlineData("rpc error: code = Unauthenticated desc = etcdserver: invalid auth token", StatusCode.Unauthenticated, "etcdserver: invalid auth token")]
    [InlineData("rpc error: code = PermissionDenied desc = etcdserver: permission denied", StatusCode.PermissionDenied, "etcdserver: permission denied")]
    [InlineData("rpc error: code = Canceled desc = x", StatusCode.Cancelled, "x")]
    [InlineData("mvcc: required revision has been compacted", StatusCode.Cancelled, "mvcc: required revision has been compacted")]
    [InlineData("etcdserver: no leader", StatusCode.Unavailable, "etcdserver: no leader")]
    public void CancelReason_StatusTextOrBareError_Parsed(string reason, StatusCode code, string message)
    {
        Assert.Equal((code, message), CancelReason.Parse(reason));
    }

    [Fact]
    public void CancelReason_Compacted_IsTheCompactedException()
    {
        Assert.IsType<EtcdCompactedException>(CancelReason.ToException("mvcc: required revision has been compacted"));
        var denied = CancelReason.ToException("rpc error: code = PermissionDenied desc = etcdserver: permission denied");
        Assert.Same(EtcdErrors.PermissionDenied, denied.Error);
    }

    [Fact]
    public void Watcher_NextRevision_FollowsCreatedEventsAndProgress()
    {
        var watcher = new Watcher(new WatchCreateRequest(), createdNotify: false, capacity: 4);
        Assert.Equal(0, watcher.NextRevision);
        watcher.Created(new WatchResponse { Created = true, WatchId = 3, Header = new ResponseHeader { Revision = 10 } });
        Assert.Equal(11, watcher.NextRevision);
        watcher.Advance(new WatchResponse { Events = { new Kvasir.Api.Mvccpb.Event { Kv = new Kvasir.Api.Mvccpb.KeyValue { ModRevision = 14 } } } });
        Assert.Equal(15, watcher.NextRevision);
        watcher.Advance(new WatchResponse { Header = new ResponseHeader { Revision = 20 } });
        Assert.Equal(21, watcher.NextRevision);
        watcher.Advance(new WatchResponse { Header = new ResponseHeader { Revision = 18 } });
        Assert.Equal(21, watcher.NextRevision);
        Assert.Equal(21, watcher.CreateRequest().CreateRequest.StartRevision);
    }

    [Fact]
    public void Watcher_FutureStart_NotMovedBackByCreation()
    {
        var watcher = new Watcher(new WatchCreateRequest { StartRevision = 100 }, createdNotify: false, capacity: 4);
        watcher.Created(new WatchResponse { Created = true, Header = new ResponseHeader { Revision = 10 } });
        Assert.Equal(100, watcher.NextRevision);
    }

    [Fact]
    public void Backoff_Seeded_DoublesWithJitterUpToMax()
    {
        var backoff = new Backoff(new Random(42));
        var previous = TimeSpan.Zero;
        for (var i = 0; i < 12; i++)
        {
            var next = backoff.Next();
            Assert.InRange(next, Backoff.Initial * 0.8, Backoff.Max * 1.2);
            previous = next;
        }

        Assert.InRange(previous, Backoff.Max * 0.8, Backoff.Max * 1.2);
        backoff.Reset();
        Assert.InRange(backoff.Next(), Backoff.Initial * 0.8, Backoff.Initial * 1.2);
    }
}
