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
    public override async Task<PreparedRow> PrepareAsync(Target target, CancellationToken cancellationToken)
    {
        var connections = await ConnectAsync(target, Conns, cancellationToken).ConfigureAwait(false);
        try
        {
            await SeedAsync(connections[0], cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            foreach (var c in connections)
            {
                await c.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        return new Prepared(this, connections);
    }

    /// <summary>Writes what the operations need before timing starts (nothing by default).</summary>
    protected virtual Task SeedAsync(EtcdClient client, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Operation number <paramref name="index"/> (0-based, each issued once).</summary>
    protected abstract Task OperateAsync(KvClient kv, long index, CancellationToken cancellationToken);

    private sealed class Prepared(OpsRow row, EtcdClient[] clients) : PreparedRow(clients)
    {
        private long _next = -1;
        private long _errors;
        private string? _firstError;

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
                    await row.OperateAsync(kv, index, cancellationToken).ConfigureAwait(false);
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
