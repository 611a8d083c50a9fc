using Google.Protobuf;
using Kvasir.Api.Errors;
using Kvasir.Raft;

namespace Kvasir.Server.Member;

// What the Raft loop reports, and the applier's batch notifications.
public sealed partial class MemberServer
{
    private void OnSoftState(SoftState state)
    {
        var oldLeader = Volatile.Read(ref _leader);
        Volatile.Write(ref _leader, state.Lead);
        var isLeader = state.RaftState == StateType.Leader;
        var wasLeader = Interlocked.Exchange(ref _isLeader, isLeader ? 1 : 0) != 0;
        if (state.Lead != oldLeader && state.Lead != 0)
        {
            _metrics.LeaderChanged();
            LogLeader(MemberIds.Hex(MemberId), MemberIds.Hex(state.Lead), Term);
        }
        else if (state.Lead == 0 && oldLeader != 0)
        {
            LogLostLeader(MemberIds.Hex(MemberId), MemberIds.Hex(oldLeader), Term);
        }

        if (isLeader != wasLeader)
        {
            _leases.OnLeadershipChanged(isLeader);
            LeadershipChanged?.Invoke(isLeader);
        }
    }

    private void OnHardState(HardState state)
    {
        Volatile.Write(ref _term, state.Term);
        Volatile.Write(ref _committed, state.Commit);
    }

    private void OnBatchApplied(ApplyBatch batch)
    {
        var lastIndex = batch.LastIndex;
        if (batch.ConfState is { } confState)
        {
            lock (_confStates)
            {
                _confStates.Add((batch.ConfStateIndex, confState));
            }
        }

        if (lastIndex > _applied.Applied)
        {
            _applied.Publish(lastIndex);
        }

        MaybeSnapshot(lastIndex);
    }

    private static EtcdError RefusalError(ProposalResult why) => why switch
    {
        ProposalResult.NoLeader or ProposalResult.ForwardingDisabled or ProposalResult.NotInConfiguration => EtcdErrors.NoLeader,
        ProposalResult.LeaderTransferInProgress => EtcdErrors.LeaderChanged,
        _ => EtcdErrors.TooManyRequests,
    };

    /// <summary>The Raft loop's view of the member; every call is on the loop's thread.</summary>
    private sealed class RaftHost(MemberServer member) : IRaftNodeHost
    {
        public void OnSoftState(SoftState state) => member.OnSoftState(state);

        public void OnHardState(HardState state) => member.OnHardState(state);

        public void OnReadStates(IReadOnlyList<ReadState> states) => member._reads.OnReadStates(states);

        public void OnReadIndexRefused(ByteString context, ProposalResult why)
        {
            member._metrics.ReadIndexFailed();
            member._reads.OnRefused(context, RefusalError(why).ToRpcException());
        }

        public void OnProposalRefused(ulong id, ProposalResult why)
        {
            member._metrics.ProposalsFailed(1);
            member._waits.Fail(id, RefusalError(why).ToRpcException());
        }

        public void Apply(ApplyBatch batch)
        {
            member._metrics.Committed(batch.LastIndex);
            member._applier.Enqueue(batch);
        }

        public void OnFatal(Exception error) => member.Fatal(error);
    }
}
