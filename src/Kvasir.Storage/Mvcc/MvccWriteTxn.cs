using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;
using Kvasir.Storage.Backend;

namespace Kvasir.Storage.Mvcc;

/// <summary>
/// A write transaction (etcd's TxnWrite): every change in it gets the same main revision, the store
/// revision plus one, and sub revisions in order; readers see all of it or none of it. Begun with
/// <see cref="MvccStore.BeginWrite"/> on the applier thread and ended there with <see cref="End"/>; it
/// holds the backend's write lock in between, so keep it short. Disposing it without End after a change
/// fails the store (its batch is rolled back and it must be reopened): a half-applied entry must never
/// be committed.
/// </summary>
public sealed class MvccWriteTxn : IDisposable
{
    private readonly MvccStore _store;
    private readonly byte[] _encodeBuffer = new byte[256];
    private List<Event>? _events;
    private List<LeaseChange>? _leaseChanges;
    private long _raftIndex;
    private int _changes;
    private bool _active;

    internal MvccWriteTxn(MvccStore store)
    {
        _store = store;
    }

    /// <summary>The store revision when the transaction began.</summary>
    public long BeginRevision { get; private set; }

    /// <summary>The revision reads inside the transaction see: its own changes once it has any.</summary>
    public long Revision => _changes > 0 ? BeginRevision + 1 : BeginRevision;

    /// <summary>Changes made so far.</summary>
    public int Changes => _changes;

    internal WriteBuffer Buffer { get; private set; } = null!;

    internal void Begin(long raftIndex, ReadState state)
    {
        _raftIndex = raftIndex;
        BeginRevision = state.CurrentRev;
        Buffer = state.Buffer;
        _changes = 0;
        _events = null;
        _leaseChanges = null;
        _active = true;
    }

    /// <summary>etcd's Range inside the transaction (it sees the transaction's own changes).</summary>
    public ReadResult<RangeResponse> Range(RangeRequest request)
    {
        ThrowIfInactive();
        var loader = new ValueLoader(_store.Backend, Buffer, applier: true);
        return _store.RangeCore(request, Revision, _store.CompactRevision, ref loader);
    }

    /// <summary>The live value of <paramref name="key"/> as the transaction sees it, or null.</summary>
    public KeyValue? Get(ReadOnlySpan<byte> key)
    {
        ThrowIfInactive();
        if (!_store.Index.TryGet(key, Revision, out var rev, out _, out _))
        {
            return null;
        }

        var loader = new ValueLoader(_store.Backend, Buffer, applier: true);
        return loader.Load(rev) ?? throw new BackendException($"revision {rev} is in the key index but not in the backend");
    }

    /// <summary>Puts a key; returns the revision of the change.</summary>
    public long Put(ByteString key, ByteString value, long lease)
    {
        ThrowIfInactive();
        var rev = new Revision(BeginRevision + 1, _changes);
        _store.Index.Put(key.Span, rev, lease, out var existed, out var created, out var version, out var oldLease);
        var kv = new KeyValue
        {
            Key = key,
            Value = value,
            CreateRevision = existed ? created : rev.Main,
            ModRevision = rev.Main,
            Version = version + 1,
            Lease = lease,
        };
        WriteRow(rev, kv, tombstone: false);
        (_events ??= []).Add(new Event { Type = Event.Types.EventType.Put, Kv = kv });
        if (oldLease != lease)
        {
            (_leaseChanges ??= []).Add(new LeaseChange(key, oldLease, lease));
        }

        _changes++;
        return rev.Main;
    }

    /// <summary>Deletes the keys of <paramref name="range"/> live now; returns how many and the revision (unchanged when none and nothing else changed).</summary>
    public (long Deleted, long Revision) DeleteRange(in KeyRange range)
    {
        ThrowIfInactive();
        var keys = new List<byte[]>();
        _store.Index.Revisions(range, Revision, new List<Revision>(), keys);
        foreach (var key in keys)
        {
            Delete(key);
        }

        return keys.Count != 0 || _changes > 0 ? (keys.Count, BeginRevision + 1) : (0, BeginRevision);
    }

    /// <summary>Writes <paramref name="value"/> under <paramref name="key"/> in a server bucket, in this transaction.</summary>
    public void BucketPut(string bucket, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        ThrowIfInactive();
        MvccStore.CheckBucketName(bucket);
        _store.Backend.BucketPut(bucket, key, value);
    }

    /// <summary>Deletes <paramref name="key"/> from a server bucket, in this transaction.</summary>
    public void BucketDelete(string bucket, ReadOnlySpan<byte> key)
    {
        ThrowIfInactive();
        MvccStore.CheckBucketName(bucket);
        _store.Backend.BucketDelete(bucket, key);
    }

    /// <summary>Ends the transaction: publishes its changes to readers, moves the consistent index, releases the lock.</summary>
    public WriteResult End()
    {
        ThrowIfInactive();
        _active = false;
        var result = new WriteResult(
            Revision,
            (IReadOnlyList<Event>?)_events ?? WriteResult.NoEvents,
            (IReadOnlyList<LeaseChange>?)_leaseChanges ?? WriteResult.NoLeaseChanges);
        _store.EndWrite(_raftIndex, _changes);
        return result;
    }

    /// <summary>Releases a transaction that was not ended: harmless before any change, fatal to the store after one.</summary>
    public void Dispose()
    {
        if (_active)
        {
            _active = false;
            _store.AbortWrite(_changes);
        }
    }

    private void Delete(byte[] key)
    {
        var rev = new Revision(BeginRevision + 1, _changes);
        if (!_store.Index.Tombstone(key, rev, out var oldLease))
        {
            throw new InvalidOperationException("delete of a key that is not live");
        }

        var keyBytes = ByteString.CopyFrom(key);
        WriteRow(rev, new KeyValue { Key = keyBytes }, tombstone: true);
        (_events ??= []).Add(new Event { Type = Event.Types.EventType.Delete, Kv = new KeyValue { Key = keyBytes, ModRevision = rev.Main } });
        if (oldLease != 0)
        {
            (_leaseChanges ??= []).Add(new LeaseChange(keyBytes, oldLease, 0));
        }

        _changes++;
    }

    private void WriteRow(Revision rev, KeyValue kv, bool tombstone)
    {
        Span<byte> key = stackalloc byte[Mvcc.Revision.TombstoneKeyLength];
        var n = rev.WriteKey(key, tombstone);
        var size = kv.CalculateSize();
        var buffer = size <= _encodeBuffer.Length ? _encodeBuffer : new byte[size];
        kv.WriteTo(buffer.AsSpan(0, size));
        _store.Backend.PutKv(key[..n], buffer.AsSpan(0, size));
        Buffer.Append(rev, kv, tombstone);
    }

    private void ThrowIfInactive()
    {
        if (!_active)
        {
            throw new InvalidOperationException("the write transaction has ended");
        }
    }
}
