using Kvasir.Client;

namespace Kvasir.Bench.Load;

/// <summary>A row ready to run against one target: connections open, data seeded. Disposing closes the connections.</summary>
internal abstract class PreparedRow(EtcdClient[] clients) : IAsyncDisposable
{
    protected EtcdClient[] Clients { get; } = clients;

    /// <summary>The timed part. Stops early, reporting <see cref="RowOutcome.TimedOut"/>, when <paramref name="cancellationToken"/> fires.</summary>
    public abstract Task<RowOutcome> RunAsync(CancellationToken cancellationToken);

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var client in Clients)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
    }
}
