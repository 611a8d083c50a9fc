using System.Globalization;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Grpc.Client;
using Kvasir.Server.Watch;

namespace Kvasir.Server.Tests.Process;

/// <summary>
/// A watcher of one range that lives across member crashes, as a careful etcd client does: when
/// its stream breaks it opens a new one from the revision after the last it was given. It records
/// every event (key and mod revision) in the order received, and any violation it sees (an event
/// at or below one already given, a canceled watcher). <see cref="RunAsync"/> is its only writer.
/// </summary>
public sealed class ResumingWatcher(string endpoint, string key, string rangeEnd)
{
    private readonly Lock _lock = new();
    private readonly List<(string Key, long Revision)> _events = [];
    private readonly List<string> _violations = [];
    private long _lastRevision;

    /// <summary>How many streams it has opened (one more after each break).</summary>
    public int Streams { get; private set; }

    /// <summary>The highest revision it has been given every event through.</summary>
    public long LastRevision
    {
        get
        {
            lock (_lock)
            {
                return _lastRevision;
            }
        }
    }

    public List<(string Key, long Revision)> Events()
    {
        lock (_lock)
        {
            return [.. _events];
        }
    }

    public List<string> Violations()
    {
        lock (_lock)
        {
            return [.. _violations];
        }
    }

    /// <summary>Watches until <paramref name="stop"/> is canceled, reopening the stream after each break.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await WatchOnceAsync(stop);
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException or HttpRequestException or IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The member died or is not up yet; retry from the last revision after a short back-off.
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WatchOnceAsync(CancellationToken stop)
    {
        using var channel = GrpcChannel.ForEndpoints(endpoint);
        using var call = channel.DuplexStreaming(WatchService.WatchMethod, new CallOptions { CancellationToken = stop });
        var start = LastRevision + 1;
        Streams++;
        await call.RequestStream.WriteAsync(new WatchRequest
        {
            CreateRequest = new WatchCreateRequest { Key = Support.Kv.B(key), RangeEnd = Support.Kv.B(rangeEnd), StartRevision = start },
        });
        while (await call.ResponseStream.MoveNextAsync(stop))
        {
            Record(call.ResponseStream.Current, start);
        }
    }

    private void Record(WatchResponse r, long start)
    {
        lock (_lock)
        {
            if (r.Canceled)
            {
                _violations.Add($"watcher from revision {start} canceled: compact {r.CompactRevision}, reason '{r.CancelReason}'");
                return;
            }

            foreach (var e in r.Events)
            {
                if (e.Kv.ModRevision <= _lastRevision)
                {
                    _violations.Add(string.Create(CultureInfo.InvariantCulture, $"event {e.Kv.Key.ToStringUtf8()}@{e.Kv.ModRevision} after revision {_lastRevision} (stream from {start})"));
                }

                _events.Add((e.Kv.Key.ToStringUtf8(), e.Kv.ModRevision));
                _lastRevision = Math.Max(_lastRevision, e.Kv.ModRevision);
            }
        }
    }
}
