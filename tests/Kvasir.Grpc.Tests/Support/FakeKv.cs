using Google.Protobuf;
using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;
using Kvasir.Grpc.Server;

namespace Kvasir.Grpc.Tests.Support;

/// <summary>
/// Just enough of etcd for etcdctl: a sorted dictionary with revisions (no history), watches that
/// see puts, one member, and Range below <see cref="CompactRevision"/> refused with etcd's exact
/// error. It exercises the gRPC layer, not a store.
/// </summary>
internal sealed class FakeKv
{
    public const ulong ClusterId = 0x1000;
    public const ulong MemberId = 0x2000;

    private readonly SortedDictionary<string, KeyValue> _data = new(StringComparer.Ordinal);
    private readonly List<Watcher> _watchers = [];
    private readonly Lock _gate = new();
    private long _revision = 1;
    private long _nextWatchId;

    /// <summary>Ranges at a revision below this fail with <see cref="EtcdErrors.Compacted"/>.</summary>
    public long CompactRevision { get; set; } = 2;

    /// <summary>Watchers registered now, over all streams.</summary>
    public int WatcherCount
    {
        get
        {
            lock (_gate)
            {
                return _watchers.Count;
            }
        }
    }

    public void Register(GrpcRouter router)
    {
        router.AddUnary(EtcdMethods.Range, RangeAsync);
        router.AddUnary(EtcdMethods.Put, PutAsync);
        router.AddDuplexStreaming(EtcdMethods.Watch, WatchAsync);
        router.AddUnary(EtcdMethods.MemberList, (_, _) => new ValueTask<MemberListResponse>(new MemberListResponse
        {
            Header = Header(),
            Members = { new Member { ID = MemberId, Name = "kvasir-test", PeerURLs = { "http://127.0.0.1:1" }, ClientURLs = { "http://127.0.0.1:2" } } },
        }));
        router.AddUnary(EtcdMethods.Status, (_, _) => new ValueTask<StatusResponse>(new StatusResponse
        {
            Header = Header(),
            Version = "3.4.23",
            DbSize = 4096,
            Leader = MemberId,
            RaftIndex = 1,
            RaftTerm = 1,
        }));
    }

    private static Exception Fail(EtcdError error) => new RpcException((StatusCode)(int)error.Code, error.Message);

    private ResponseHeader Header() => new() { ClusterId = ClusterId, MemberId = MemberId, Revision = Volatile.Read(ref _revision), RaftTerm = 1 };

    private ValueTask<RangeResponse> RangeAsync(RangeRequest request, ServerCallContext context)
    {
        if (request.Key.IsEmpty)
        {
            throw Fail(EtcdErrors.EmptyKey);
        }

        if (request.Revision > 0 && request.Revision < CompactRevision)
        {
            throw Fail(EtcdErrors.Compacted);
        }

        var response = new RangeResponse();
        lock (_gate)
        {
            response.Header = Header();
            foreach (var (key, kv) in _data)
            {
                if (!InRange(key, request.Key, request.RangeEnd))
                {
                    continue;
                }

                response.Count++;
                if (!request.CountOnly && (request.Limit == 0 || response.Kvs.Count < request.Limit))
                {
                    var copy = kv.Clone();
                    if (request.KeysOnly)
                    {
                        copy.Value = ByteString.Empty;
                    }

                    response.Kvs.Add(copy);
                }
            }

            response.More = request.Limit != 0 && response.Count > request.Limit;
        }

        return new ValueTask<RangeResponse>(response);
    }

    private ValueTask<PutResponse> PutAsync(PutRequest request, ServerCallContext context)
    {
        if (request.Key.IsEmpty)
        {
            throw Fail(EtcdErrors.EmptyKey);
        }

        var key = request.Key.ToStringUtf8();
        var response = new PutResponse();
        lock (_gate)
        {
            var revision = ++_revision;
            _data.TryGetValue(key, out var previous);
            var kv = new KeyValue
            {
                Key = request.Key,
                Value = request.Value,
                CreateRevision = previous?.CreateRevision ?? revision,
                ModRevision = revision,
                Version = (previous?.Version ?? 0) + 1,
                Lease = request.Lease,
            };
            _data[key] = kv;
            response.Header = Header();
            if (request.PrevKv && previous is not null)
            {
                response.PrevKv = previous;
            }

            foreach (var watcher in _watchers)
            {
                if (InRange(key, watcher.Key, watcher.RangeEnd))
                {
                    // From the Put handler's thread into the watch stream's queue.
                    watcher.Responses.TryWrite(new WatchResponse
                    {
                        Header = Header(),
                        WatchId = watcher.Id,
                        Events = { new Event { Type = Event.Types.EventType.Put, Kv = kv } },
                    });
                }
            }
        }

        return new ValueTask<PutResponse>(response);
    }

    private async ValueTask WatchAsync(RequestStream<WatchRequest> requests, ServerStreamWriter<WatchResponse> responses, ServerCallContext context)
    {
        var mine = new List<Watcher>();
        try
        {
            while (await requests.MoveNextAsync().ConfigureAwait(false))
            {
                var request = requests.Current;
                if (request.CreateRequest is { } create)
                {
                    var watcher = new Watcher(Interlocked.Increment(ref _nextWatchId) - 1, create.Key, create.RangeEnd, responses);
                    lock (_gate)
                    {
                        _watchers.Add(watcher);
                        mine.Add(watcher);
                    }

                    await responses.WriteAsync(new WatchResponse { Header = Header(), WatchId = watcher.Id, Created = true }, context.CancellationToken).ConfigureAwait(false);
                }
                else if (request.CancelRequest is { } cancel)
                {
                    lock (_gate)
                    {
                        _watchers.RemoveAll(w => w.Id == cancel.WatchId);
                    }

                    await responses.WriteAsync(new WatchResponse { Header = Header(), WatchId = cancel.WatchId, Canceled = true }, context.CancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                foreach (var watcher in mine)
                {
                    _watchers.Remove(watcher);
                }
            }
        }
    }

    private static bool InRange(string key, ByteString start, ByteString end)
    {
        var from = start.ToStringUtf8();
        if (end.IsEmpty)
        {
            return key == from;
        }

        if (end.Length == 1 && end[0] == 0)
        {
            return string.CompareOrdinal(key, from) >= 0;
        }

        return string.CompareOrdinal(key, from) >= 0 && string.CompareOrdinal(key, end.ToStringUtf8()) < 0;
    }

    private sealed record Watcher(long Id, ByteString Key, ByteString RangeEnd, ServerStreamWriter<WatchResponse> Responses);
}
