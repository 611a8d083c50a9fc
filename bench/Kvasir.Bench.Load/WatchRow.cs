using System.Buffers.Binary;
using System.Diagnostics;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Client;

namespace Kvasir.Bench.Load;

/// <summary>
/// Watch fan-out: <c>Clients</c> watchers of one key spread over <c>Conns</c> connections (each
/// connection's watchers share its one watch stream), then <see cref="_puts"/> puts of that key from
/// <see cref="_putters"/> other connections, at <see cref="_rate"/> puts/s (0 = as fast as they go).
/// Every watcher must receive every put. Reported: events delivered per second (from the first put to
/// the last event) and the latency of each event from the moment its put was issued.
/// </summary>
internal sealed class WatchRow(string test, int conns, int watchers, int puts, int rate, int putters)
    : LoadRow(test, conns, watchers, (long)watchers * puts)
{
    private readonly int _puts = puts;
    private readonly int _rate = rate;
    private readonly int _putters = putters;

    public override async Task<PreparedRow> PrepareAsync(Target target, CancellationToken cancellationToken)
    {
        var connections = await ConnectAsync(target, Conns + _putters, cancellationToken).ConfigureAwait(false);
        var prepared = new Prepared(this, connections, "bench-watch/" + Guid.NewGuid().ToString("N"));
        try
        {
            await prepared.CreateWatchersAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await prepared.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return prepared;
    }

    private sealed class Prepared(WatchRow row, EtcdClient[] clients, string key) : PreparedRow(clients)
    {
        private readonly long[] _putIssued = new long[row._puts];
        private readonly List<IAsyncEnumerator<WatchResponse>> _watches = [];
        private readonly CancellationTokenSource _stopWatching = new();
        private long _nextPut = -1;
        private long _lastEvent;
        private long _putErrors;
        private string? _firstError;

        /// <summary>Creates every watcher and waits until the server confirmed each, connection by connection in parallel.</summary>
        public async Task CreateWatchersAsync(CancellationToken cancellationToken)
        {
            var perConnection = new Task<List<IAsyncEnumerator<WatchResponse>>>[row.Conns];
            for (var c = 0; c < row.Conns; c++)
            {
                var count = (row.Clients / row.Conns) + (c < row.Clients % row.Conns ? 1 : 0);
                perConnection[c] = CreateOnAsync(Clients[c], count, cancellationToken);
            }

            foreach (var watches in await Task.WhenAll(perConnection).ConfigureAwait(false))
            {
                _watches.AddRange(watches);
            }
        }

        public override async Task<RowOutcome> RunAsync(CancellationToken cancellationToken)
        {
            // A row that runs out of time ends the watches themselves, so no read is left pending.
            await using var stop = cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), _stopWatching);
            var latencies = new Latencies[_watches.Count];
            var receivers = new Task<long>[_watches.Count];
            for (var w = 0; w < _watches.Count; w++)
            {
                latencies[w] = new Latencies(row._puts);
                receivers[w] = ReceiveAsync(_watches[w], latencies[w], cancellationToken);
            }

            var started = Stopwatch.GetTimestamp();
            var putters = new Task[row._putters];
            for (var p = 0; p < row._putters; p++)
            {
                putters[p] = PutAsync(Clients[row.Conns + p].KV, started, cancellationToken);
            }

            await Task.WhenAll(putters).ConfigureAwait(false);
            long received = 0;
            foreach (var count in await Task.WhenAll(receivers).ConfigureAwait(false))
            {
                received += count;
            }

            var last = Interlocked.Read(ref _lastEvent);
            var wall = last > started ? Stopwatch.GetElapsedTime(started, last).TotalSeconds : Stopwatch.GetElapsedTime(started).TotalSeconds;
            return new RowOutcome(received, _putErrors, _firstError, wall, Latencies.Summarize(latencies), cancellationToken.IsCancellationRequested);
        }

        public override async ValueTask DisposeAsync()
        {
            await _stopWatching.CancelAsync().ConfigureAwait(false);
            foreach (var watch in _watches)
            {
                try
                {
                    await watch.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or EtcdException or ObjectDisposedException or InvalidOperationException or NotSupportedException)
                {
                }
            }

            await base.DisposeAsync().ConfigureAwait(false);
            _stopWatching.Dispose();
        }

        private async Task<List<IAsyncEnumerator<WatchResponse>>> CreateOnAsync(EtcdClient client, int count, CancellationToken cancellationToken)
        {
            var created = new List<IAsyncEnumerator<WatchResponse>>(count);
            for (var i = 0; i < count; i++)
            {
                var watch = client.Watch.WatchAsync(key, new WatchOptions { CreatedNotify = true }, _stopWatching.Token).GetAsyncEnumerator(_stopWatching.Token);
                created.Add(watch);
                if (!await watch.MoveNextAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false) || !watch.Current.Created)
                {
                    throw new InvalidOperationException("a watch ended before it was created");
                }
            }

            return created;
        }

        /// <summary>Issues the next numbered put until all are issued; each value starts with its number, so a watcher knows when it was issued.</summary>
        private async Task PutAsync(KvClient kv, long started, CancellationToken cancellationToken)
        {
            await Task.Yield();
            var keyBytes = ByteString.CopyFromUtf8(key);
            var value = new byte[256];
            long seq;
            while ((seq = Interlocked.Increment(ref _nextPut)) < row._puts && !cancellationToken.IsCancellationRequested)
            {
                if (row._rate > 0)
                {
                    // Open loop at the given rate: put n is due n/rate seconds after the start.
                    var due = TimeSpan.FromSeconds(seq / (double)row._rate) - Stopwatch.GetElapsedTime(started);
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, cancellationToken).ConfigureAwait(false);
                    }
                }

                BinaryPrimitives.WriteInt64BigEndian(value, seq);
                Volatile.Write(ref _putIssued[seq], Stopwatch.GetTimestamp());
                try
                {
                    await kv.PutAsync(new PutRequest { Key = keyBytes, Value = ByteString.CopyFrom(value) }, cancellationToken).ConfigureAwait(false);
                }
                catch (EtcdException e)
                {
                    Interlocked.Increment(ref _putErrors);
                    Interlocked.CompareExchange(ref _firstError, e.Message, null);
                }
            }
        }

        /// <summary>Reads one watcher's events until it has seen every put; returns how many it received.</summary>
        private async Task<long> ReceiveAsync(IAsyncEnumerator<WatchResponse> watch, Latencies latencies, CancellationToken cancellationToken)
        {
            long received = 0;
            try
            {
                while (received < row._puts && await watch.MoveNextAsync().ConfigureAwait(false))
                {
                    var now = Stopwatch.GetTimestamp();
                    foreach (var e in watch.Current.Events)
                    {
                        var seq = BinaryPrimitives.ReadInt64BigEndian(e.Kv.Value.Span);
                        latencies.Add(now - Volatile.Read(ref _putIssued[seq]));
                        received++;
                    }

                    var last = Interlocked.Read(ref _lastEvent);
                    while (now > last && Interlocked.CompareExchange(ref _lastEvent, now, last) != last)
                    {
                        last = Interlocked.Read(ref _lastEvent);
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or EtcdException)
            {
                Interlocked.CompareExchange(ref _firstError, e.Message, null);
            }

            return received;
        }
    }
}
