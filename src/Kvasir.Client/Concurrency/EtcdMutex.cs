using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Client.Concurrency;

/// <summary>
/// etcd's distributed lock (clientv3/concurrency's Mutex; named so as not to clash with
/// <see cref="System.Threading.Mutex"/>). A locker writes the key <c>prefix/leaseIdHex</c> with its
/// session's lease; keys under the prefix queue by create revision, the oldest holds the lock, and
/// each waiter waits for the deletion of the key just ahead of it. The keys are etcd's own, so this
/// lock and <c>etcdctl lock prefix</c> (and any etcd client's Mutex) exclude each other. If the
/// holder's session expires its key is deleted and the lock passes on: guard writes made under the
/// lock with <see cref="IsOwner"/> in the same transaction. Not thread-safe: one locker per instance.
/// </summary>
public sealed class EtcdMutex
{
    private readonly Session _session;
    private readonly ByteString _prefix;
    private ByteString _key = ByteString.Empty;
    private long _revision = -1;

    public EtcdMutex(Session session, string prefix)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(prefix);
        _session = session;
        _prefix = ByteString.CopyFromUtf8(prefix + "/");
    }

    /// <summary>This locker's key (<c>prefix/leaseIdHex</c>) once it locked or queued; empty before and after.</summary>
    public string Key => _key.ToStringUtf8();

    /// <summary>The create revision of <see cref="Key"/>: its place in the queue.</summary>
    public long Revision => _revision;

    /// <summary>The header of the answer that granted the lock.</summary>
    public ResponseHeader? Header { get; private set; }

    /// <summary>Waits for the lock. When waiting fails or is cancelled, this locker's key is removed so that it does not block others.</summary>
    /// <exception cref="SessionExpiredException">the session's lease is gone.</exception>
    public async Task LockAsync(CancellationToken cancellationToken = default)
    {
        var response = await EnqueueAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Holds(response))
            {
                Header = response.Header;
                return;
            }

            var header = await KeyWaits.WaitDeletesAsync(_session.Client, _prefix, _revision - 1, cancellationToken).ConfigureAwait(false);

            // The keys ahead are gone; ours must still be there, else the session expired while waiting.
            var mine = await _session.Client.KV.GetAsync(_key, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (mine.Kvs.Count == 0)
            {
                throw new SessionExpiredException($"the session's lease {_session.LeaseId:x} expired while waiting for the lock {_prefix.ToStringUtf8()}");
            }

            Header = header;
        }
        catch
        {
            await AbandonAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Takes the lock if it is free (or already ours), without waiting; otherwise leaves no key behind and returns false.</summary>
    public async Task<bool> TryLockAsync(CancellationToken cancellationToken = default)
    {
        var response = await EnqueueAsync(cancellationToken).ConfigureAwait(false);
        if (!cancellationToken.IsCancellationRequested && Holds(response))
        {
            Header = response.Header;
            return true;
        }

        await AbandonAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return false;
    }

    /// <summary>Releases the lock (deletes this locker's key); the next waiter takes it.</summary>
    public async Task UnlockAsync(CancellationToken cancellationToken = default)
    {
        if (_key.IsEmpty)
        {
            return;
        }

        await _session.Client.KV.DeleteAsync(_key, cancellationToken: cancellationToken).ConfigureAwait(false);
        _key = ByteString.Empty;
        _revision = -1;
    }

    /// <summary>A compare that holds while this locker still owns the lock: put it in the If of the transactions that must happen under it.</summary>
    public Compare IsOwner() => Cmp.CreateRevision(_key).Equal(_revision);

    /// <summary>
    /// Writes this locker's key unless the session already has one under the prefix, and reads the
    /// current holder in the same transaction, so the uncontended case takes one round trip. Once
    /// sent, the transaction may be applied even if the caller gives up, so it is awaited to its end
    /// (bounded by the session's TTL): the key it wrote is then known and can be withdrawn.
    /// </summary>
    private async Task<TxnResponse> EnqueueAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_session.IsExpired)
        {
            throw new SessionExpiredException($"the session's lease {_session.LeaseId:x} has expired");
        }

        var key = ByteString.CopyFromUtf8(_prefix.ToStringUtf8() + _session.LeaseId.ToString("x"));
        var holder = Op.Get(_prefix, KeyWaits.FirstCreated);
        using var bound = _session.NewTtlBound();
        var response = await _session.Client.KV.Txn()
            .If(Cmp.CreateRevision(key).Equal(0))
            .Then(Op.Put(key, ByteString.Empty, new PutOptions { Lease = _session.LeaseId }), holder)
            .Else(Op.Get(key), holder)
            .CommitAsync(bound.Token).ConfigureAwait(false);
        _key = key;
        _revision = response.Succeeded ? response.Header.Revision : response.Responses[0].ResponseRange.Kvs[0].CreateRevision;
        return response;
    }

    /// <summary>True when nobody is queued under the prefix or the oldest key is this locker's.</summary>
    private bool Holds(TxnResponse response)
    {
        var holder = response.Responses[1].ResponseRange.Kvs;
        return holder.Count == 0 || holder[0].CreateRevision == _revision;
    }

    /// <summary>Removes this locker's key after a failed wait, even when the caller's token is cancelled (bounded by the session TTL).</summary>
    private async Task AbandonAsync()
    {
        using var bound = _session.NewTtlBound();
        try
        {
            await UnlockAsync(bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is EtcdException or OperationCanceledException or ObjectDisposedException)
        {
            // The key goes with the session's lease at the latest.
        }
    }
}
