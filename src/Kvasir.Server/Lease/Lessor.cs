using System.Buffers.Binary;
using Google.Protobuf;
using Kvasir.Server.Member;
using Kvasir.Storage.Mvcc;
using Microsoft.Extensions.Logging;

namespace Kvasir.Server.Lease;

/// <summary>
/// The lessor (etcd's <c>lease.lessor</c>): every lease of the member, the keys attached to each, and —
/// on the leader only — when each expires and when its remaining TTL is next checkpointed.
/// <para>
/// Ownership and threads. The applier thread changes the set of leases and their keys, in log order,
/// through <see cref="ILeaseApplier"/>; nothing else does, so every member holds the same leases at the
/// same index. Expiry times are local to the member and change only on the leader (grant, renew,
/// promotion). gRPC threads renew and read; the leader's loop (<see cref="Start(IProposer)"/>) finds expired leases
/// and due checkpoints and proposes LeaseRevoke and LeaseCheckpoint through Raft, so expiry is applied on
/// every member in log order. All state is guarded by one lock, never held across an await or a store write.
/// </para>
/// <para>
/// Persistence. Each lease is a <c>leasepb.Lease</c> (ID, TTL, RemainingTTL) under its 8-byte big-endian
/// id in the backend's "lease" bucket, written in the same transaction as the entry that changed it. On
/// construction the lessor reads the bucket back and re-attaches the keys the store reports
/// (<see cref="MvccStore.KeyLeases"/>); every lease then has no expiry until this member is promoted.
/// </para>
/// </summary>
public sealed partial class Lessor : ILeaseApplier, IDisposable
{
    /// <summary>etcd's MaxLeaseTTL: a longer TTL is refused with <c>too large lease TTL</c>.</summary>
    public const long MaxLeaseTtl = 9_000_000_000;

    /// <summary>The backend bucket that holds the leases (etcd's "lease").</summary>
    public const string Bucket = "lease";

    private readonly MvccStore _store;
    private readonly IMemberState _member;
    private readonly LessorOptions _options;
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly ILogger _logger;
    private readonly LessorMetrics? _metrics;
    private readonly Lock _gate = new();
    private readonly Dictionary<long, Lease> _leases = [];
    private readonly LeaseHeap _expiry = new(checkpoints: false);
    private readonly LeaseHeap _checkpoints = new(checkpoints: true);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Non-null while this member is the primary lessor (the leader); completed when it is demoted, which
    // releases renewals waiting on an expired lease.
    private TaskCompletionSource? _demoted;
    private IProposer? _proposer;
    private Task _loop = Task.CompletedTask;

    /// <summary>The background loop (completed when it was not started or has stopped).</summary>
    internal Task Loop => _loop;

    /// <summary>Recovers the leases persisted in <paramref name="store"/> and attaches their keys. Nothing expires until <see cref="OnLeadershipChanged"/> promotes this member.</summary>
    public Lessor(MvccStore store, IMemberState member, LessorOptions options, TimeProvider time, ILoggerFactory logs)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logs);
        options.Validate();
        _store = store;
        _member = member;
        _options = options;
        _time = time;
        _origin = time.GetTimestamp();
        _logger = logs.CreateLogger("Kvasir.Server.Lease");
        _metrics = options.Meter is { } meter ? new LessorMetrics(meter) : null;
        Recover();
    }

    /// <summary>True while this member is the primary lessor: it expires, renews and checkpoints leases.</summary>
    public bool IsPrimary
    {
        get
        {
            lock (_gate)
            {
                return _demoted is not null;
            }
        }
    }

    /// <summary>Leases held now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _leases.Count;
            }
        }
    }

    /// <summary>The options in force.</summary>
    public LessorOptions Options => _options;

    /// <summary>The store's revision now: what a response header carries when the entry did not set one.</summary>
    internal long CurrentRevision => _store.CurrentRevision;

    /// <summary>The member whose headers responses carry.</summary>
    internal IMemberState Member => _member;

    /// <summary>True when lease <paramref name="leaseId"/> exists (the store's check for a Put with a lease). Any thread.</summary>
    public bool Exists(long leaseId)
    {
        lock (_gate)
        {
            return _leases.ContainsKey(leaseId);
        }
    }

    /// <summary>Stops the leader's loop and releases waiting renewals; leases stay in the backend. Does not block.</summary>
    public void Dispose()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _stop.Cancel();
        _stopped.TrySetResult();
    }

    /// <summary>The lessor's clock: ticks since it was created, monotonic, from the injected TimeProvider.</summary>
    private long Now() => _time.GetElapsedTime(_origin).Ticks;

    private void Recover()
    {
        var rows = _store.BucketScan(Bucket);
        foreach (var (key, value) in rows)
        {
            if (key.Length != 8)
            {
                throw new InvalidDataException($"the \"{Bucket}\" bucket holds a key of {key.Length} bytes; lease keys are 8-byte ids");
            }

            Api.Leasepb.Lease record;
            try
            {
                record = Api.Leasepb.Lease.Parser.ParseFrom(value);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new InvalidDataException($"lease {BinaryPrimitives.ReadInt64BigEndian(key):x16} in the \"{Bucket}\" bucket is not a leasepb.Lease: {e.Message}", e);
            }

            var ttl = Math.Max(record.TTL, _options.MinLeaseTtlSeconds);
            _leases[record.ID] = new Lease(record.ID, ttl, record.RemainingTTL);
        }

        var orphans = 0;
        foreach (var (key, leaseId) in _store.KeyLeases())
        {
            if (_leases.TryGetValue(leaseId, out var lease))
            {
                lease.Keys.Add(ByteString.CopyFrom(key));
            }
            else
            {
                orphans++;
            }
        }

        if (orphans > 0)
        {
            LessorLog.OrphanKeys(_logger, orphans);
        }

        LessorLog.Recovered(_logger, _leases.Count);
    }

    private static void Persist(MvccWriteTxn txn, Lease lease)
    {
        Span<byte> key = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(key, lease.Id);
        var record = new Api.Leasepb.Lease { ID = lease.Id, TTL = lease.Ttl, RemainingTTL = lease.RemainingTtl };
        txn.BucketPut(Bucket, key, record.ToByteArray());
    }

    private static void Unpersist(MvccWriteTxn txn, long id)
    {
        Span<byte> key = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(key, id);
        txn.BucketDelete(Bucket, key);
    }
}
