using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Kvasir.Raft;
using Kvasir.Storage.Mvcc;

namespace Kvasir.Server.Member;

/// <summary>
/// The cluster's members as the applied conf changes made them (etcd's RaftCluster, v3 half).
/// Persisted in the backend's <c>members</c> bucket (key: the id in hex, value: the member's JSON —
/// etcd's layout) in the write transaction of the conf change entry. Changed only by the applier;
/// read from any thread.
/// </summary>
public sealed class MemberRegistry
{
    /// <summary>The backend bucket, etcd's name.</summary>
    public const string Bucket = "members";

    private readonly Lock _gate = new();
    private readonly SortedDictionary<ulong, MemberRecord> _members = [];

    /// <summary>Loads the members persisted in <paramref name="store"/>.</summary>
    public static MemberRegistry Restore(MvccStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var registry = new MemberRegistry();
        foreach (var (_, value) in store.BucketScan(Bucket))
        {
            var m = MemberRecord.FromJson(value);
            registry._members[m.Id] = m;
        }

        return registry;
    }

    /// <summary>The members, by id.</summary>
    public IReadOnlyList<MemberRecord> List()
    {
        lock (_gate)
        {
            return [.. _members.Values];
        }
    }

    public MemberRecord? Get(ulong id)
    {
        lock (_gate)
        {
            return _members.GetValueOrDefault(id);
        }
    }

    /// <summary>
    /// Applies a committed conf change (applier thread) inside <paramref name="txn"/>: adding a
    /// member records the member its context describes (etcd's JSON; a bare id when the context is
    /// empty), removing one deletes it. A change that names no member (id 0) changes nothing.
    /// </summary>
    public void Apply(ConfChange change, MvccWriteTxn txn)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(txn);
        if (change.NodeId == 0)
        {
            return;
        }

        var key = Encoding.ASCII.GetBytes(MemberIds.Hex(change.NodeId));
        switch (change.Type)
        {
            case ConfChangeType.ConfChangeAddNode:
            case ConfChangeType.ConfChangeAddLearnerNode:
            case ConfChangeType.ConfChangeUpdateNode:
                var record = Describe(change);
                lock (_gate)
                {
                    _members[record.Id] = record;
                }

                txn.BucketPut(Bucket, key, record.ToJson());
                break;
            case ConfChangeType.ConfChangeRemoveNode:
                lock (_gate)
                {
                    _members.Remove(change.NodeId);
                }

                txn.BucketDelete(Bucket, key);
                break;
        }
    }

    private static MemberRecord Describe(ConfChange change)
    {
        var learner = change.Type == ConfChangeType.ConfChangeAddLearnerNode;
        if (change.Context.IsEmpty)
        {
            return new MemberRecord { Id = change.NodeId, IsLearner = learner };
        }

        MemberRecord record;
        try
        {
            record = MemberRecord.FromJson(change.Context.Span);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"the conf change for member {change.NodeId.ToString("x", CultureInfo.InvariantCulture)} carries a context that is not a member record: {e.Message}", e);
        }

        return record with { Id = change.NodeId };
    }

    /// <summary>The context etcd puts in a conf change that adds <paramref name="member"/>.</summary>
    public static ByteString Context(MemberRecord member) => ByteString.CopyFrom(member.ToJson());
}
