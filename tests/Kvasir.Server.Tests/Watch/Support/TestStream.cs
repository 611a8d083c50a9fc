using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Watch;

namespace Kvasir.Server.Tests.Watch.Support;

/// <summary>A hub stream read as its gRPC sender would read it, with every wait bounded.</summary>
internal sealed class TestStream(WatchStream stream) : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly Queue<WatchResponse> _received = new();

    public WatchStream Stream { get; } = stream;

    /// <summary>Creates a watcher and returns its created reply.</summary>
    public async Task<WatchResponse> CreateAsync(WatchCreateRequest request)
    {
        Stream.Create(request);
        var reply = await NextAsync();
        Assert.True(reply.Created, $"expected the created reply, got {reply}");
        return reply;
    }

    public static WatchCreateRequest Key(string key, long startRevision = 0) => new() { Key = ByteString.CopyFromUtf8(key), StartRevision = startRevision };

    public static WatchCreateRequest Prefix(string prefix, long startRevision = 0) => new()
    {
        Key = ByteString.CopyFromUtf8(prefix),
        RangeEnd = Storage.Mvcc.KeyRange.PrefixEnd(ByteString.CopyFromUtf8(prefix).Span),
        StartRevision = startRevision,
    };

    public async Task<WatchResponse> NextAsync()
    {
        while (_received.Count == 0)
        {
            using var bound = new CancellationTokenSource(Bound);
            Assert.True(await Stream.WaitToReadAsync(bound.Token), "the stream closed");
            var batch = new List<WatchResponse>();
            Stream.Read(batch);
            foreach (var r in batch)
            {
                _received.Enqueue(r);
            }
        }

        return _received.Dequeue();
    }

    /// <summary>Responses until the watcher has been given <paramref name="events"/> events in all.</summary>
    public async Task<List<WatchResponse>> EventsAsync(int events)
    {
        var responses = new List<WatchResponse>();
        var seen = 0;
        while (seen < events)
        {
            var r = await NextAsync();
            responses.Add(r);
            seen += r.Events.Count;
        }

        Assert.Equal(events, seen);
        return responses;
    }

    /// <summary>Everything queued right now (no wait): the hub queues synchronously, so "nothing" means nothing was sent.</summary>
    public List<WatchResponse> Drain()
    {
        var batch = new List<WatchResponse>(_received);
        _received.Clear();
        Stream.Read(batch);
        return batch;
    }

    public void Dispose() => Stream.Dispose();
}
