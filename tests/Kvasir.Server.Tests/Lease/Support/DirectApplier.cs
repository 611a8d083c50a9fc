using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;
using Kvasir.Server.Lease;
using Kvasir.Server.Member;
using Kvasir.Storage.Mvcc;

namespace Kvasir.Server.Tests.Lease.Support;

/// <summary>
/// A proposer that applies each proposal at once, one at a time, as the member's applier would: a lease
/// entry in a write transaction at the next Raft index, then the key moves; a Put or DeleteRange through
/// the store with the lessor as its lease lookup. It records every write's events.
/// </summary>
internal sealed class DirectApplier : IProposer
{
    private readonly Lock _gate = new();
    private readonly List<(long Revision, IReadOnlyList<Event> Events)> _writes = [];
    private long _index;

    public DirectApplier(MvccStore store, Lessor lessor)
    {
        Store = store;
        Lessor = lessor;
        _index = store.ConsistentIndex;
    }

    public MvccStore Store { get; }

    public Lessor Lessor { get; }

    /// <summary>Proposals seen, of each kind.</summary>
    public int Revokes { get; private set; }

    public int Checkpoints { get; private set; }

    /// <summary>When set, every proposal fails with this error before applying (a lost leader, a timeout).</summary>
    public Exception? FailWith { get; set; }

    public List<LeaseCheckpointRequest> CheckpointLog { get; } = [];

    public IReadOnlyList<(long Revision, IReadOnlyList<Event> Events)> Writes
    {
        get
        {
            lock (_gate)
            {
                return [.. _writes];
            }
        }
    }

    public Task<AppliedResult> ProposeAsync(InternalRaftRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (FailWith is { } failure)
        {
            return Task.FromException<AppliedResult>(failure);
        }

        lock (_gate)
        {
            return Task.FromResult(Apply(request));
        }
    }

    private AppliedResult Apply(InternalRaftRequest request)
    {
        var index = ++_index;
        if (request.Put is { } put)
        {
            var r = Store.Put(put, index, Lessor);
            return Finish(r.Error, r.Response, r.Revision, r.Events, r.LeaseChanges);
        }

        if (request.DeleteRange is { } delete)
        {
            var r = Store.DeleteRange(delete, index);
            return Finish(r.Error, r.Response, r.Revision, r.Events, r.LeaseChanges);
        }

        using var txn = Store.BeginWrite(index);
        AppliedResult result;
        if (request.LeaseGrant is { } grant)
        {
            result = Lessor.ApplyGrant(grant, txn);
        }
        else if (request.LeaseRevoke is { } revoke)
        {
            Revokes++;
            result = Lessor.ApplyRevoke(revoke, txn);
        }
        else if (request.LeaseCheckpoint is { } checkpoint)
        {
            Checkpoints++;
            CheckpointLog.Add(checkpoint);
            result = Lessor.ApplyCheckpoint(checkpoint, txn);
        }
        else
        {
            throw new NotSupportedException($"the direct applier does not apply {request}");
        }

        var written = txn.End();
        Lessor.ApplyLeaseChanges(written.LeaseChanges);
        Record(written.Revision, written.Events);
        return result;
    }

    private AppliedResult Finish(EtcdError? error, Google.Protobuf.IMessage? response, long revision, IReadOnlyList<Event> events, IReadOnlyList<LeaseChange> changes)
    {
        if (error is not null)
        {
            return AppliedResult.Failed(error);
        }

        Lessor.ApplyLeaseChanges(changes);
        Record(revision, events);
        return AppliedResult.Of(response!);
    }

    private void Record(long revision, IReadOnlyList<Event> events)
    {
        if (events.Count > 0)
        {
            _writes.Add((revision, events));
        }
    }
}
