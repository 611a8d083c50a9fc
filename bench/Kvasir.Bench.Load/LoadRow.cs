using Kvasir.Client;

namespace Kvasir.Bench.Load;

/// <summary>
/// One row of the matrix: a test shape (e.g. put at 100 connections / 1,000 clients) run the same way
/// against every target. <see cref="PrepareAsync"/> does what must not be timed (connecting, seeding,
/// creating watchers); the prepared row's RunAsync is the timed part.
/// </summary>
internal abstract class LoadRow(string test, int conns, int clients, long total)
{
    public string Test { get; } = test;

    public int Conns { get; } = conns;

    public int Clients { get; } = clients;

    /// <summary>Operations issued (for watch rows: events expected in total).</summary>
    public long Total { get; } = total;

    public override string ToString() => $"{Test} {Conns}/{Clients}";

    public abstract Task<PreparedRow> PrepareAsync(Target target, CancellationToken cancellationToken);

    /// <summary>
    /// Opens <paramref name="count"/> clients to the target, each with its own HTTP/2 connection, and makes
    /// one call on each so the connection is up before timing. Any answer counts as connected (a server
    /// without the Maintenance service answers UNIMPLEMENTED, which is still an answer).
    /// </summary>
    protected static async Task<EtcdClient[]> ConnectAsync(Target target, int count, CancellationToken cancellationToken)
    {
        var clients = new EtcdClient[count];
        var probes = new Task[count];
        for (var i = 0; i < count; i++)
        {
            clients[i] = new EtcdClient(new EtcdClientOptions
            {
                Endpoints = target.Endpoints,
                DialTimeout = TimeSpan.FromSeconds(10),

                // No per-call deadline: a timer per call is client CPU the server under test would lose on a
                // shared machine. Rows are bounded as a whole by --row-timeout.
            });
            probes[i] = ProbeAsync(clients[i], cancellationToken);
        }

        try
        {
            await Task.WhenAll(probes).ConfigureAwait(false);
        }
        catch
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        return clients;
    }

    private static async Task ProbeAsync(EtcdClient client, CancellationToken cancellationToken)
    {
        try
        {
            await client.Maintenance.StatusAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdException e) when (e.StatusCode is not (Grpc.StatusCode.Unavailable or Grpc.StatusCode.DeadlineExceeded))
        {
        }
    }
}
