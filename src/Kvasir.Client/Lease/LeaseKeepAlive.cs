using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Client.Internal;

namespace Kvasir.Client;

/// <summary>
/// A lease kept alive in the background (<see cref="LeaseClient.KeepAlive"/>): the client renews it
/// every third of its TTL for as long as this handle is not disposed. <see cref="Done"/> fires when
/// renewing stops, and <see cref="EndReason"/> says why; from then on the lease must be presumed gone
/// (unless the handle was merely disposed). The latest answers can be read from
/// <see cref="ReadAllAsync"/>; old ones are dropped when nobody reads.
/// </summary>
public sealed class LeaseKeepAlive : IAsyncDisposable
{
    private const int ResponseCapacity = 16;

    private readonly KeepAliveLoop _loop;
    private readonly CancellationTokenSource _done = new();
    private readonly Channel<LeaseKeepAliveResponse> _responses = Channel.CreateBounded<LeaseKeepAliveResponse>(new BoundedChannelOptions(ResponseCapacity)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
        SingleWriter = false,
    });

    private int _reason;
    private LeaseKeepAliveResponse? _last;

    internal LeaseKeepAlive(KeepAliveLoop loop, long leaseId)
    {
        _loop = loop;
        LeaseId = leaseId;
    }

    public long LeaseId { get; }

    /// <summary>Fires once renewing stops, for any reason.</summary>
    public CancellationToken Done => _done.Token;

    public KeepAliveEndReason EndReason => (KeepAliveEndReason)Volatile.Read(ref _reason);

    /// <summary>The latest answer of the server, or null before the first.</summary>
    public LeaseKeepAliveResponse? LastResponse => Volatile.Read(ref _last);

    /// <summary>The server's answers as they come, until renewing stops.</summary>
    public async IAsyncEnumerable<LeaseKeepAliveResponse> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await _responses.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_responses.Reader.TryRead(out var response))
            {
                yield return response;
            }
        }
    }

    /// <summary>Stops renewing through this handle. The lease is not revoked: it expires after its TTL unless revoked or kept alive elsewhere.</summary>
    public ValueTask DisposeAsync()
    {
        _loop.Remove(this);
        End(KeepAliveEndReason.Stopped);
        return default;
    }

    internal void Deliver(LeaseKeepAliveResponse response)
    {
        Volatile.Write(ref _last, response);
        _responses.Writer.TryWrite(response);
    }

    /// <summary>Stops the handle with <paramref name="reason"/>; only the first reason counts. Never call under a lock: <see cref="Done"/>'s callbacks run here.</summary>
    internal void End(KeepAliveEndReason reason)
    {
        if (Interlocked.CompareExchange(ref _reason, (int)reason, (int)KeepAliveEndReason.None) != (int)KeepAliveEndReason.None)
        {
            return;
        }

        _responses.Writer.TryComplete();
        try
        {
            _done.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
