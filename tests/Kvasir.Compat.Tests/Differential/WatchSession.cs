using System.Text;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc.Client;
using Kvasir.Server.Services;
using Kvasir.Server.Watch;
using Kvasir.Testing;

namespace Kvasir.Compat.Tests.Differential;

/// <summary>
/// One server's watch streams for a differential run, opened on first use and kept in the
/// target's <see cref="DiffTarget.State"/>. Every wait is bounded. Operations that compare what
/// watchers received first wait until every watcher is caught up with the store (see
/// <see cref="WatchStreamLog.CaughtUp"/>), so that delivery timing, which differs between servers,
/// never shows in an answer.
/// </summary>
public sealed class WatchSession : IDisposable
{
    public const int Streams = 3;

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly DiffTarget _target;
    private readonly List<DuplexStreamingCall<WatchRequest, WatchResponse>> _calls = [];
    private readonly List<WatchStreamLog> _logs = [];
    private readonly List<Task> _readers = [];

    private WatchSession(DiffTarget target)
    {
        _target = target;
        for (var i = 0; i < Streams; i++)
        {
            var call = target.Channel.DuplexStreaming(WatchService.WatchMethod, new CallOptions { Deadline = DateTime.UtcNow.AddMinutes(15) });
            var log = new WatchStreamLog(target);
            _calls.Add(call);
            _logs.Add(log);
            _readers.Add(Task.Run(() => log.ReadAsync(call)));
        }
    }

    public static WatchSession Of(DiffTarget target)
    {
        if (!target.State.TryGetValue("watch", out var session))
        {
            session = new WatchSession(target);
            target.State["watch"] = session;
        }

        return (WatchSession)session;
    }

    /// <summary>When the target has watch streams open, waits until every watcher is caught up (<see cref="SyncAsync"/>).</summary>
    public static async Task SyncIfOpenAsync(DiffTarget target)
    {
        if (target.State.TryGetValue("watch", out var session))
        {
            await ((WatchSession)session).SyncAsync();
        }
    }

    /// <summary>Creates a watcher and returns its created reply, waited for, so both servers create in the same order at the same revision.</summary>
    public async Task<string> CreateAsync(int stream, WatchCreateRequest request)
    {
        var log = _logs[stream];
        var before = log.CreatedCount;
        log.Expect(request.StartRevision);
        await _calls[stream].RequestStream.WriteAsync(new WatchRequest { CreateRequest = request.Clone() });
        await Poll.UntilAsync(() => log.CreatedCount > before, Bound, $"{_target.Name}: the created reply on stream {stream}", TimeSpan.FromMilliseconds(2));
        return log.Created(before);
    }

    /// <summary>Once every watcher is caught up, cancels one; a listed watcher's canceled reply is waited for (an unknown id gets none).</summary>
    public async Task<string> CancelAsync(int stream, long id)
    {
        await SyncAsync();
        var log = _logs[stream];
        var listed = log.IsListed(id);
        await _calls[stream].RequestStream.WriteAsync(new WatchRequest { CancelRequest = new WatchCancelRequest { WatchId = id } });
        if (listed)
        {
            await Poll.UntilAsync(() => !log.IsListed(id), Bound, $"{_target.Name}: the canceled reply of watcher {id} on stream {stream}", TimeSpan.FromMilliseconds(2));
        }

        return $"cancel {id} on stream {stream}: listed={listed}";
    }

    /// <summary>Once every watcher is caught up, asks for progress on a stream and returns the reply's revision.</summary>
    public async Task<string> ProgressAsync(int stream)
    {
        var current = await SyncAsync();
        var log = _logs[stream];
        if (log.HasFutureWatcher(current))
        {
            // Kvasir defers the reply until the store reaches the start (Watch README); etcd 3.4 answers below it.
            return $"progress request on stream {stream} skipped: a watcher starts beyond {current}";
        }

        var before = log.ProgressReplyCount;
        await _calls[stream].RequestStream.WriteAsync(new WatchRequest { ProgressRequest = new WatchProgressRequest() });
        await Poll.UntilAsync(() => log.ProgressReplyCount > before, Bound, $"{_target.Name}: the progress reply on stream {stream}", TimeSpan.FromMilliseconds(2));
        var revision = log.ProgressReply(before);
        return revision == current ? $"progress at the store's revision on stream {stream}" : $"progress {revision} on stream {stream}, store at {current}";
    }

    /// <summary>Once every watcher is caught up, what each received since the last collect.</summary>
    public async Task<string> CollectAsync()
    {
        var current = await SyncAsync();
        var text = new StringBuilder("events through ").Append(current).Append(":\n");
        for (var i = 0; i < _logs.Count; i++)
        {
            _logs[i].Drain(text, i);
        }

        return _target.MaskLeases(text.ToString());
    }

    /// <summary>Waits until every watcher has been given everything up to the store's revision; returns that revision.</summary>
    public async Task<long> SyncAsync()
    {
        var now = await _target.Channel.UnaryAsync(EtcdMethods.Range, new RangeRequest { Key = ByteString.CopyFromUtf8("\0"), CountOnly = true }, new CallOptions { Deadline = DateTime.UtcNow.AddSeconds(15) });
        var revision = now.Header.Revision;
        await Poll.UntilAsync(() => _logs.TrueForAll(l => l.CaughtUp(revision)), Bound, $"{_target.Name}: every watcher to report progress at {revision}", TimeSpan.FromMilliseconds(5));
        return revision;
    }

    public void Dispose()
    {
        foreach (var call in _calls)
        {
            call.Dispose();
        }
    }
}
