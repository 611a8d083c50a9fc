using System.Diagnostics;
using Kvasir.Client;

namespace Kvasir.Bench.Load;

/// <summary>
/// A closed-loop row as etcd's benchmark tool runs one: <c>Clients</c> workers spread over <c>Conns</c>
/// connections (worker i uses connection i mod Conns), each issuing its next operation as soon as the
/// last one answered, until <c>Total</c> operations have been issued.
/// </summary>
internal abstract class OpsRow(string test, int conns, int clients, long total) : LoadRow(test, conns, clients, total)
{
    /// <summary>How long the untimed warm-up runs at least: the runtime promotes hot methods to optimized code over the first seconds.</summary>
    private static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(3);

    private const int MaxWarmUpOperations = 20_000;

    public override async Task<PreparedRow> PrepareAsync(Target target, CancellationToken cancellationToken)
    {
        var connections = await ConnectAsync(target, Conns, cancellationToken).ConfigureAwait(false);
        var prepared = new Prepared(this, connections);
        try
        {
            await SeedAsync(connections[0], cancellationToken).ConfigureAwait(false);
            await prepared.WarmUpAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await prepared.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return prepared;
    }

    /// <summary>Writes what the operations need before timing starts (nothing by default).</summary>
    protected virtual Task SeedAsync(EtcdClient client, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Operation number <paramref name="index"/> (0-based, each issued once). Workers pass no token (a cancellable
    /// call costs the client a linked token source per call); they check the row's token between operations.</summary>
    protected abstract Task OperateAsync(KvClient kv, long index, CancellationToken cancellationToken);

    private sealed class Prepared(OpsRow row, EtcdClient[] clients) : PreparedRow(clients)
    {
        private long _next = -1;
        private long _errors;
        private string? _firstError;

        /// <summary>
        /// Untimed: a few operations on every connection, then operations on the first one until
        /// <see cref="WarmUpTime"/> has passed (at most <see cref="MaxWarmUpOperations"/>), so that the timed
        /// part measures neither the JIT's tier-up (on the server or here) nor first-use costs.
        /// </summary>
        public async Task WarmUpAsync(CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            var count = (int)Math.Clamp(row.Total / 20, 1, 500);
            var warm = new Task[Clients.Length];
            for (var c = 0; c < Clients.Length; c++)
            {
                warm[c] = WarmAsync(Clients[c].KV, 0, c == 0 ? count : 1, cancellationToken);
            }

            await Task.WhenAll(warm).ConfigureAwait(false);
            for (var done = count; done < MaxWarmUpOperations && Stopwatch.GetElapsedTime(started) < WarmUpTime && !cancellationToken.IsCancellationRequested; done += 100)
            {
                await WarmAsync(Clients[0].KV, done, 100, cancellationToken).ConfigureAwait(false);
            }
        }

        public override async Task<RowOutcome> RunAsync(CancellationToken cancellationToken)
        {
            var workers = new Task[row.Clients];
            var latencies = new Latencies[row.Clients];
            var perWorker = (int)Math.Min(int.MaxValue, (row.Total / row.Clients) + 1);
            var started = Stopwatch.GetTimestamp();
            for (var w = 0; w < row.Clients; w++)
            {
                latencies[w] = new Latencies(perWorker);
                workers[w] = WorkAsync(Clients[w % Clients.Length].KV, latencies[w], cancellationToken);
            }

            await Task.WhenAll(workers).ConfigureAwait(false);
            var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var completed = Math.Min(Interlocked.Read(ref _next) + 1, row.Total) - Interlocked.Read(ref _errors);
            return new RowOutcome(completed, _errors, _firstError, wall, Latencies.Summarize(latencies), cancellationToken.IsCancellationRequested);
        }

        private async Task WarmAsync(KvClient kv, int first, int count, CancellationToken cancellationToken)
        {
            for (var i = 0; i < count && !cancellationToken.IsCancellationRequested; i++)
            {
                try
                {
                    // Within the row's key space, so warming up writes no key the timed part would not.
                    await row.OperateAsync(kv, (first + i) % row.Total, CancellationToken.None).ConfigureAwait(false);
                }
                catch (EtcdException)
                {
                    // The timed part reports failures.
                }
            }
        }

        private async Task WorkAsync(KvClient kv, Latencies latencies, CancellationToken cancellationToken)
        {
            // Start every worker on the thread pool, not inline on the caller's loop.
            await Task.Yield();
            long index;
            while ((index = Interlocked.Increment(ref _next)) < row.Total && !cancellationToken.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await row.OperateAsync(kv, index, CancellationToken.None).ConfigureAwait(false);
                    latencies.Add(Stopwatch.GetTimestamp() - start);
                }
                catch (Exception e) when (e is EtcdException or OperationCanceledException or ObjectDisposedException)
                {
                    Interlocked.Increment(ref _errors);
                    Interlocked.CompareExchange(ref _firstError, e.Message, null);
                }
            }
        }
    }
}
