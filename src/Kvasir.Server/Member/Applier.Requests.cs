using System.Diagnostics;
using Google.Protobuf;
using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Raft;
using Kvasir.Storage.Mvcc;

namespace Kvasir.Server.Member;

// One entry at a time: decode, apply through the rules etcd wraps around its backend applier
// (the NOSPACE cap, then the quota), hand events to the watch hub, answer the proposer.
internal sealed partial class Applier
{
    private void ApplyNormal(Entry entry)
    {
        var index = (long)entry.Index;
        if (entry.Data.IsEmpty)
        {
            // A new leader's empty entry.
            _parts.Store.AdvanceConsistentIndex(index);
            return;
        }

        InternalRaftRequest request;
        try
        {
            request = InternalRaftRequest.Parser.ParseFrom(entry.Data);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidOperationException($"entry {entry.Index} does not hold an InternalRaftRequest ({e.Message}); refusing to guess what it meant", e);
        }

        var started = Stopwatch.GetTimestamp();
        var result = Apply(request, index);
        _parts.Metrics.Applied(request, result, Stopwatch.GetElapsedTime(started));
        var id = request.ID != 0 ? request.ID : request.Header?.ID ?? 0;
        if (id != 0)
        {
            _parts.Waits.Trigger(id, result);
        }
    }

    private AppliedResult Apply(InternalRaftRequest r, long index)
    {
        var store = _parts.Store;
        var alarms = _parts.Alarms;
        var quota = _parts.Quota;
        switch (r.RequestCase())
        {
            case RequestKind.Put:
                if (alarms.NoSpace)
                {
                    return Skip(index, EtcdErrors.NoSpace);
                }

                var putFits = quota.Available(r.Put);
                var put = store.Put(r.Put, index, _parts.Leases);
                AfterWrite(put.Ok, put.Events, put.LeaseChanges, put.Revision);
                return Answer(put.Response, put.Error, putFits);
            case RequestKind.DeleteRange:
                var del = store.DeleteRange(r.DeleteRange, index);
                AfterWrite(del.Ok, del.Events, del.LeaseChanges, del.Revision);
                return Answer(del.Response, del.Error, true);
            case RequestKind.Txn:
                var cost = BackendQuota.Cost(r.Txn);
                if (alarms.NoSpace && cost > 0)
                {
                    return Skip(index, EtcdErrors.NoSpace);
                }

                var txnFits = quota.Available(r.Txn);
                var txn = store.Txn(r.Txn, index, _parts.Leases);
                AfterWrite(txn.Ok, txn.Events, txn.LeaseChanges, txn.Revision);
                return Answer(txn.Response, txn.Error, txnFits);
            case RequestKind.Compaction:
                var compact = store.Compact(r.Compaction, index);
                return Answer(compact.Response, compact.Error, true);
            case RequestKind.Range:
                store.AdvanceConsistentIndex(index);
                var range = store.Range(r.Range);
                return range.Ok ? AppliedResult.Of(range.Response!) : AppliedResult.Failed(range.Error!);
            case RequestKind.LeaseGrant:
                if (alarms.NoSpace)
                {
                    return Skip(index, EtcdErrors.NoSpace);
                }

                var grantFits = quota.Available(r.LeaseGrant);
                var grant = InWriteTxn(index, tx => _parts.Leases.ApplyGrant(r.LeaseGrant, tx));
                return grantFits || grant.Error is not null ? grant : AppliedResult.Failed(EtcdErrors.NoSpace);
            case RequestKind.LeaseRevoke:
                return InWriteTxn(index, tx => _parts.Leases.ApplyRevoke(r.LeaseRevoke, tx));
            case RequestKind.LeaseCheckpoint:
                return InWriteTxn(index, tx => _parts.Leases.ApplyCheckpoint(r.LeaseCheckpoint, tx));
            case RequestKind.Alarm:
                return InWriteTxn(index, tx => AppliedResult.Of(ApplyAlarm(r.Alarm, tx)));
            case RequestKind.ClusterMeta:
                store.AdvanceConsistentIndex(index);
                return AppliedResult.Of(new EmptyResponse());
            default:
                // Auth and anything this member does not serve: the entry changes nothing.
                return Skip(index, EtcdErrors.NotCapable);
        }
    }

    private AlarmResponse ApplyAlarm(AlarmRequest request, MvccWriteTxn txn)
    {
        var wasNoSpace = _parts.Alarms.NoSpace;
        var response = _parts.Alarms.Apply(request, txn);
        if (_parts.Alarms.NoSpace != wasNoSpace)
        {
            if (_parts.Alarms.NoSpace)
            {
                LogAlarmRaised(_parts.Log, "NOSPACE", MemberIds.Hex(request.MemberID));
            }
            else
            {
                LogAlarmDisarmed(_parts.Log, "NOSPACE", MemberIds.Hex(request.MemberID));
            }
        }

        return response;
    }

    /// <summary>Runs <paramref name="apply"/> in a write transaction at <paramref name="index"/>, ends it, and hands its events on.</summary>
    private AppliedResult InWriteTxn(long index, Func<MvccWriteTxn, AppliedResult> apply)
    {
        AppliedResult result;
        WriteResult write;
        using (var txn = _parts.Store.BeginWrite(index))
        {
            result = apply(txn);
            write = txn.End();
        }

        if (write.Events.Count > 0)
        {
            _parts.Metrics.Mvcc.KeysChanged(write.Events);
            _parts.Watches.Notify(write.Events, write.Revision);
        }

        return result;
    }

    private void AfterWrite(bool ok, IReadOnlyList<Api.Mvccpb.Event> events, IReadOnlyList<LeaseChange> leaseChanges, long revision)
    {
        if (!ok)
        {
            return;
        }

        if (leaseChanges.Count > 0)
        {
            _parts.Leases.ApplyLeaseChanges(leaseChanges);
        }

        if (events.Count > 0)
        {
            _parts.Metrics.Mvcc.KeysChanged(events);
            _parts.Watches.Notify(events, revision);
        }
    }

    /// <summary>The entry is refused as a whole (etcd's capped applier): the store only moves its consistent index past it.</summary>
    private AppliedResult Skip(long index, EtcdError error)
    {
        _parts.Store.AdvanceConsistentIndex(index);
        return AppliedResult.Failed(error);
    }

    // etcd's quota applier applies the write and then answers "database space exceeded" when the
    // request did not fit: every member applies the same entries, whatever its own database size.
    private static AppliedResult Answer(IMessage? response, EtcdError? error, bool fits) =>
        error is not null ? AppliedResult.Failed(error)
        : fits ? AppliedResult.Of(response!)
        : AppliedResult.Failed(EtcdErrors.NoSpace);

    private void ApplyConfChange(ConfChange change, Entry entry)
    {
        InWriteTxn((long)entry.Index, txn =>
        {
            _parts.Members.Apply(change, txn);
            return AppliedResult.Of(new EmptyResponse());
        });
        if (change.Id != 0)
        {
            _parts.Waits.Trigger(change.Id, AppliedResult.Of(new EmptyResponse()));
        }
    }

    private void ApplyConfChangeV2(ConfChangeV2 change, Entry entry)
    {
        InWriteTxn((long)entry.Index, txn =>
        {
            foreach (var single in change.Changes)
            {
                _parts.Members.Apply(new ConfChange { Type = single.Type, NodeId = single.NodeId }, txn);
            }

            return AppliedResult.Of(new EmptyResponse());
        });
    }
}
