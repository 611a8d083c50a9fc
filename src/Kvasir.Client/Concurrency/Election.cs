using System.Runtime.CompilerServices;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;

namespace Kvasir.Client.Concurrency;

/// <summary>
/// etcd's leader election (clientv3/concurrency's Election). A candidate writes <c>prefix/leaseIdHex</c>
/// with its proposal as the value and its session's lease; candidates queue by create revision and
/// the oldest is the leader, whose value is the election's current proclamation. The keys are etcd's
/// own, so this election and <c>etcdctl elect prefix</c> (and any etcd client's Election) take part in
/// the same contest. Not thread-safe: one candidate per instance; observing is safe alongside.
/// </summary>
public sealed class Election
{
    private readonly Session _session;
    private readonly ByteString _prefix;
    private ByteString _leaderKey = ByteString.Empty;
    private long _leaderRevision;
    private bool _leading;

    public Election(Session session, string prefix)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(prefix);
        _session = session;
        _prefix = ByteString.CopyFromUtf8(prefix + "/");
    }

    /// <summary>Takes over the leadership a previous instance won (its key and revision), e.g. after a restart with the same session.</summary>
    public static Election Resume(Session session, string prefix, string leaderKey, long leaderRevision)
    {
        ArgumentNullException.ThrowIfNull(leaderKey);
        return new Election(session, prefix) { _leaderKey = ByteString.CopyFromUtf8(leaderKey), _leaderRevision = leaderRevision, _leading = true };
    }

    /// <summary>This candidate's key once it campaigned; empty otherwise.</summary>
    public string Key => _leaderKey.ToStringUtf8();

    /// <summary>The create revision of <see cref="Key"/>.</summary>
    public long Revision => _leaderRevision;

    /// <summary>The header of the last answer that changed this candidate's standing.</summary>
    public ResponseHeader? Header { get; private set; }

    /// <summary>
    /// Stands for election with <paramref name="value"/> and waits until elected. A candidate already in
    /// the queue (same session) keeps its place and proclaims the new value. Cancelled, it withdraws.
    /// </summary>
    public async Task CampaignAsync(ByteString value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        cancellationToken.ThrowIfCancellationRequested();
        var key = ByteString.CopyFromUtf8(_prefix.ToStringUtf8() + _session.LeaseId.ToString("x"));

        // Once sent, the transaction may be applied even if the caller gives up, so it is awaited to
        // its end (bounded by the session's TTL): the key it wrote is then known and can be withdrawn.
        TxnResponse response;
        using (var bound = _session.NewTtlBound())
        {
            response = await _session.Client.KV.Txn()
                .If(Cmp.CreateRevision(key).Equal(0))
                .Then(Op.Put(key, value, new PutOptions { Lease = _session.LeaseId }))
                .Else(Op.Get(key))
                .CommitAsync(bound.Token).ConfigureAwait(false);
        }

        _leaderKey = key;
        _leaderRevision = response.Header.Revision;
        _leading = true;
        if (!response.Succeeded)
        {
            var existing = response.Responses[0].ResponseRange.Kvs[0];
            _leaderRevision = existing.CreateRevision;
            if (existing.Value != value)
            {
                try
                {
                    await ProclaimAsync(value, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    await WithdrawAsync().ConfigureAwait(false);
                    throw;
                }
            }
        }

        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            await KeyWaits.WaitDeletesAsync(_session.Client, _prefix, _leaderRevision - 1, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await WithdrawAsync().ConfigureAwait(false);
            throw;
        }
        catch
        {
            _leading = false;
            throw;
        }

        Header = response.Header;
    }

    public Task CampaignAsync(string value, CancellationToken cancellationToken = default) => CampaignAsync(Op.Utf8(value), cancellationToken);

    /// <summary>Publishes a new value as the leader, without a new election.</summary>
    /// <exception cref="ElectionNotLeaderException">this candidate is not the leader (never campaigned, resigned, or its key is gone).</exception>
    public async Task ProclaimAsync(ByteString value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!_leading)
        {
            throw new ElectionNotLeaderException("election: not leader");
        }

        var response = await _session.Client.KV.Txn()
            .If(Cmp.CreateRevision(_leaderKey).Equal(_leaderRevision))
            .Then(Op.Put(_leaderKey, value, new PutOptions { Lease = _session.LeaseId }))
            .CommitAsync(cancellationToken).ConfigureAwait(false);
        if (!response.Succeeded)
        {
            _leaderKey = ByteString.Empty;
            _leading = false;
            throw new ElectionNotLeaderException("election: not leader");
        }

        Header = response.Header;
    }

    public Task ProclaimAsync(string value, CancellationToken cancellationToken = default) => ProclaimAsync(Op.Utf8(value), cancellationToken);

    /// <summary>Gives up leadership (or a place in the queue), so the next candidate is elected. Nothing to do when not campaigning.</summary>
    public async Task ResignAsync(CancellationToken cancellationToken = default)
    {
        if (!_leading)
        {
            return;
        }

        var response = await _session.Client.KV.Txn()
            .If(Cmp.CreateRevision(_leaderKey).Equal(_leaderRevision))
            .Then(Op.Delete(_leaderKey))
            .CommitAsync(cancellationToken).ConfigureAwait(false);
        Header = response.Header;
        _leaderKey = ByteString.Empty;
        _leading = false;
    }

    /// <summary>The current leader's key and proclamation, or null when nobody stands.</summary>
    public async Task<KeyValue?> LeaderAsync(CancellationToken cancellationToken = default)
    {
        var response = await _session.Client.KV.GetAsync(_prefix, KeyWaits.FirstCreated, cancellationToken).ConfigureAwait(false);
        return response.Kvs.Count == 0 ? null : response.Kvs[0];
    }

    /// <summary>
    /// The leader's key-value each time it changes: a new leader, or a new proclamation of the same
    /// one. Waits while nobody stands. Runs until cancelled.
    /// </summary>
    public async IAsyncEnumerable<KeyValue> ObserveAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var client = _session.Client;
        while (true)
        {
            var current = await client.KV.GetAsync(_prefix, KeyWaits.FirstCreated, cancellationToken).ConfigureAwait(false);
            KeyValue? leader = null;
            long revision;
            if (current.Kvs.Count > 0)
            {
                leader = current.Kvs[0];
                revision = current.Header.Revision;
            }
            else
            {
                // Nobody stands: the first candidate to write a key is the next leader.
                var arrivals = client.Watch.WatchAsync(_prefix, new WatchOptions { Prefix = true, StartRevision = current.Header.Revision, NoDelete = true }, cancellationToken);
                await foreach (var response in arrivals.ConfigureAwait(false))
                {
                    if (response.Events.Count > 0)
                    {
                        leader = response.Events[0].Kv;
                        break;
                    }
                }

                if (leader is null)
                {
                    yield break;
                }

                revision = leader.ModRevision;
            }

            yield return leader;

            // Follow the leader's key: each put is a proclamation, its deletion ends its reign.
            var deleted = false;
            await foreach (var response in client.Watch.WatchAsync(leader.Key, new WatchOptions { StartRevision = revision + 1 }, cancellationToken).ConfigureAwait(false))
            {
                foreach (var e in response.Events)
                {
                    if (e.Type == Event.Types.EventType.Delete)
                    {
                        deleted = true;
                        break;
                    }

                    yield return e.Kv;
                }

                if (deleted)
                {
                    break;
                }
            }

            if (!deleted)
            {
                yield break;
            }
        }
    }

    /// <summary>Withdraws after a failed campaign, even when the caller's token is cancelled (bounded by the session TTL).</summary>
    private async Task WithdrawAsync()
    {
        using var bound = _session.NewTtlBound();
        try
        {
            await ResignAsync(bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is EtcdException or OperationCanceledException or ObjectDisposedException)
        {
            // The key goes with the session's lease at the latest.
        }
    }
}
