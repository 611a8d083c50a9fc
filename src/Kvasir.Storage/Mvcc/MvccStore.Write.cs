using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Storage.Backend;

namespace Kvasir.Storage.Mvcc;

/// <summary>The write path: transactions, Put and DeleteRange, and the batch commit policy.</summary>
public sealed partial class MvccStore
{
    internal SqliteBackend Backend => _backend;

    internal TreeIndex Index => _index;

    /// <summary>
    /// Begins a write transaction for the Raft entry at <paramref name="raftIndex"/> (0: no entry, the
    /// consistent index stays). Applier thread only; end it on the same thread. Throws when
    /// <paramref name="raftIndex"/> is not above the consistent index: the applier skips such entries.
    /// </summary>
    public MvccWriteTxn BeginWrite(long raftIndex)
    {
        _backend.WriteLock.Enter();
        try
        {
            ThrowIfUnusable();
            CheckRaftIndex(raftIndex);
            _txn.Begin(raftIndex, _state);
            return _txn;
        }
        catch
        {
            _backend.WriteLock.Exit();
            throw;
        }
    }

    /// <summary>
    /// Applies etcd's Put. Errors: key not provided, value provided, lease provided (bad requests),
    /// requested lease not found, key not found (ignore_value / ignore_lease on a missing key).
    /// </summary>
    public ApplyResult<PutResponse> Put(PutRequest request, long raftIndex, ILeaseLookup? leases = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var tx = BeginWrite(raftIndex);
        try
        {
            if (RequestValidator.CheckPut(request) is { } invalid)
            {
                return Refuse<PutResponse>(tx, invalid);
            }

            if (request.Lease != 0 && leases is not null && !leases.Exists(request.Lease))
            {
                return Refuse<PutResponse>(tx, EtcdErrors.LeaseNotFound);
            }

            var resp = new PutResponse();
            if (!ApplyPut(tx, request, resp, out var error))
            {
                return Refuse<PutResponse>(tx, error!);
            }

            return new ApplyResult<PutResponse>(resp, tx.End());
        }
        catch (Exception e) when (e is not ObjectDisposedException)
        {
            Fail(e);
            throw;
        }
    }

    /// <summary>Applies etcd's DeleteRange. Errors: key not provided.</summary>
    public ApplyResult<DeleteRangeResponse> DeleteRange(DeleteRangeRequest request, long raftIndex)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var tx = BeginWrite(raftIndex);
        try
        {
            if (RequestValidator.CheckDelete(request) is { } invalid)
            {
                return Refuse<DeleteRangeResponse>(tx, invalid);
            }

            var resp = ApplyDeleteRange(tx, request);
            return new ApplyResult<DeleteRangeResponse>(resp, tx.End());
        }
        catch (Exception e) when (e is not ObjectDisposedException)
        {
            Fail(e);
            throw;
        }
    }

    /// <summary>Reads a server bucket's value as the applier would (including uncommitted writes), or null.</summary>
    public byte[]? BucketGet(string bucket, ReadOnlySpan<byte> key)
    {
        CheckBucketName(bucket);
        lock (_backend.WriteLock)
        {
            ThrowIfUnusable();
            return _backend.BucketGet(bucket, key);
        }
    }

    /// <summary>Every key and value of a server bucket, in key order (for recovery on start).</summary>
    public IReadOnlyList<KeyValuePair<byte[], byte[]>> BucketScan(string bucket)
    {
        CheckBucketName(bucket);
        lock (_backend.WriteLock)
        {
            ThrowIfUnusable();
            return _backend.BucketScan(bucket);
        }
    }

    /// <summary>Every live key that has a lease, with its lease: what the lessor attaches on start.</summary>
    public IReadOnlyList<KeyValuePair<byte[], long>> KeyLeases()
    {
        EnterRead();
        try
        {
            return _index.KeyLeases();
        }
        finally
        {
            ExitRead();
        }
    }

    internal static void CheckBucketName(string bucket)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        if (bucket == BackendSchema.MetaBucket || bucket == BackendSchema.KeyBucket)
        {
            throw new ArgumentException($"bucket \"{bucket}\" is reserved for the MVCC store", nameof(bucket));
        }
    }

    /// <summary>etcd's applier Put inside a transaction; false with the error when the request cannot apply.</summary>
    internal static bool ApplyPut(MvccWriteTxn tx, PutRequest p, PutResponse resp, out EtcdError? error)
    {
        error = null;
        var value = p.Value;
        var lease = p.Lease;
        Api.Mvccpb.KeyValue? prev = null;
        if (p.IgnoreValue || p.IgnoreLease || p.PrevKv)
        {
            prev = tx.Get(p.Key.Span);
        }

        if ((p.IgnoreValue || p.IgnoreLease) && prev is null)
        {
            error = EtcdErrors.KeyNotFound;
            return false;
        }

        if (p.IgnoreValue)
        {
            value = prev!.Value;
        }

        if (p.IgnoreLease)
        {
            lease = prev!.Lease;
        }

        if (p.PrevKv && prev is not null)
        {
            resp.PrevKv = prev;
        }

        resp.Header = new ResponseHeader { Revision = tx.Put(p.Key, value, lease) };
        return true;
    }

    /// <summary>etcd's applier DeleteRange inside a transaction.</summary>
    internal static DeleteRangeResponse ApplyDeleteRange(MvccWriteTxn tx, DeleteRangeRequest dr)
    {
        var resp = new DeleteRangeResponse();
        var range = new KeyRange(dr.Key, dr.RangeEnd);
        if (dr.PrevKv)
        {
            var rr = tx.Range(new RangeRequest { Key = dr.Key, RangeEnd = dr.RangeEnd });
            if (rr.Response is { } prev)
            {
                resp.PrevKvs.AddRange(prev.Kvs);
            }
        }

        var (deleted, revision) = tx.DeleteRange(range);
        resp.Deleted = deleted;
        resp.Header = new ResponseHeader { Revision = revision };
        return resp;
    }

    /// <summary>Called by <see cref="MvccWriteTxn.End"/>: publish, move the consistent index, commit when the batch is full, unlock.</summary>
    internal void EndWrite(long raftIndex, int changes)
    {
        try
        {
            var state = _state;
            if (changes > 0)
            {
                Volatile.Write(ref _state, new ReadState(state.CurrentRev + 1, state.CompactRev, _txn.Buffer));
            }

            SetConsistentIndex(raftIndex);
            if (_backend.PendingWrites >= _options.BatchLimit)
            {
                CommitLocked(durable: false);
            }
        }
        catch (Exception e)
        {
            Fail(e);
            throw;
        }
        finally
        {
            _backend.WriteLock.Exit();
        }
    }

    /// <summary>Called when a transaction is disposed without End: fatal after a change, since it cannot be undone in memory.</summary>
    internal void AbortWrite(int changes)
    {
        try
        {
            if (changes > 0)
            {
                Fail(new InvalidOperationException("a write transaction was abandoned after changing the store"));
            }
        }
        finally
        {
            _backend.WriteLock.Exit();
        }
    }

    private ApplyResult<T> Refuse<T>(MvccWriteTxn tx, EtcdError error)
        where T : class
    {
        var revision = tx.Revision;
        tx.End();
        return new ApplyResult<T>(error, revision);
    }
}
