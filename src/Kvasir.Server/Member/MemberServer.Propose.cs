using Google.Protobuf;
using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Server.Member;

// Proposals: refused early when the member cannot take them, else registered, queued for Raft
// and awaited until applied or the deadline passes.
public sealed partial class MemberServer
{
    /// <summary>
    /// Proposes <paramref name="request"/> through Raft and returns what applying it produced (its
    /// <c>Header.ID</c> is set here). Throws <see cref="Grpc.RpcException"/> with etcd's code and
    /// text when it never applied: <c>server stopped</c>, <c>too many requests</c> (applied lags
    /// committed by more than 5,000 entries, or the Raft inbox is full), <c>request is too large</c>
    /// (over --max-request-bytes, checked before proposing), <c>no leader</c>, <c>request timed
    /// out</c> (5 s + 2 × election timeout); <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> fires first (the request may still apply, unless the
    /// token was already cancelled on entry: then nothing is proposed).
    /// </summary>
    public async Task<AppliedResult> ProposeAsync(InternalRaftRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // A caller that has already given up proposes nothing (etcd's Propose with a done context).
        cancellationToken.ThrowIfCancellationRequested();
        var waiter = Register(request);
        if (!cancellationToken.CanBeCanceled)
        {
            return await waiter.Task.ConfigureAwait(false);
        }

        // A registration on the waiter itself: cheaper than Task.WaitAsync, which allocates a promise per call.
        using var registration = cancellationToken.UnsafeRegister(static (s, ct) => ((MemberServer)((Waiter)s!).Owner!).CancelWaiter((Waiter)s!, ct), waiter);
        return await waiter.Task.ConfigureAwait(false);
    }

    private void CancelWaiter(Waiter waiter, CancellationToken cancellationToken)
    {
        _waits.Forget(waiter.Id);
        if (waiter.TrySetCanceled(cancellationToken))
        {
            _metrics.ProposalsFailed(1);
        }
    }

    private Waiter Register(InternalRaftRequest request)
    {
        if (Volatile.Read(ref _phase) != 1 || _fatal)
        {
            throw EtcdErrors.Stopped.ToRpcException();
        }

        if (CommittedIndex > AppliedIndex + MaxApplyLag)
        {
            throw EtcdErrors.TooManyRequests.ToRpcException();
        }

        var id = _ids.Next();
        request.Header ??= new RequestHeader();
        request.Header.ID = id;
        var size = request.CalculateSize();
        if (size > _maxRequestBytes)
        {
            throw EtcdErrors.RequestTooLarge.ToRpcException();
        }

        var bytes = new byte[size];
        request.WriteTo(bytes);
        var waiter = _waits.Register(id, _time.GetTimestamp() + (long)(_requestTimeout.TotalSeconds * _time.TimestampFrequency));
        waiter.Owner = this;
        if (!_raft.TryPropose(new Proposal(id, UnsafeByteOperations.UnsafeWrap(bytes)), out var stopping))
        {
            _waits.Forget(id);
            _metrics.ProposalsFailed(1);
            throw (stopping ? EtcdErrors.Stopped : EtcdErrors.TooManyRequests).ToRpcException();
        }

        return waiter;
    }
}
