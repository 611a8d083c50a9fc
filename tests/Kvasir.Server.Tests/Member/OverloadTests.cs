using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Server.Member;
using Kvasir.Server.Tests.Support;
using Kvasir.Storage.Mvcc;
using Kvasir.Testing;

namespace Kvasir.Server.Tests.Member;

/// <summary>
/// An applier that cannot keep up (held on a lease grant here): proposals past 5,000 entries of
/// lag are refused with <c>too many requests</c>, those waiting past their deadline get <c>request
/// timed out</c>, and everything committed applies once the applier moves again.
/// </summary>
public sealed class OverloadTests
{
    [Fact]
    public async Task ApplierHeld_LagPast5000_TooManyRequestsThenTimeoutsThenEverythingApplies()
    {
        var clock = new ManualTimeProvider(ManualTimerOptions.LikeRealTimers);
        using var gate = new ManualResetEventSlim(false);
        await using var m = await InProcessMember.StartWithAsync(new MemberComponents { Lessor = _ => new HeldLessor(gate) }, clock);
        var held = m.Server.ProposeAsync(new InternalRaftRequest { LeaseGrant = new LeaseGrantRequest { ID = 1, TTL = 60 } }, CancellationToken.None);

        // Proposals commit but do not apply; the first 5,000 of lag are taken, then "too many requests".
        var waiting = new List<Task<AppliedResult>>();
        RpcException? refused = null;
        for (var i = 0; i < 6000 && refused is null; i++)
        {
            // A refusal comes before anything is proposed: the returned task has already failed.
            var put = m.Server.ProposeAsync(Put($"k{i}"), CancellationToken.None);
            if (put.IsFaulted)
            {
                refused = put.Exception!.InnerException as RpcException;
                continue;
            }

            waiting.Add(put);

            if (i % 500 == 499)
            {
                await Poll.UntilAsync(() => m.Server.CommittedIndex >= (ulong)i, TimeSpan.FromSeconds(30), $"the proposals to commit (committed {m.Server.CommittedIndex}, applied {m.Server.AppliedIndex}, pending {m.Server.PendingProposals})");
            }
        }

        Assert.NotNull(refused);
        Assert.Equal((StatusCode.ResourceExhausted, "etcdserver: too many requests"), (refused.StatusCode, refused.Message));
        Assert.InRange(m.Server.CommittedIndex - m.Server.AppliedIndex, MemberServer.MaxApplyLag, MemberServer.MaxApplyLag + 600);

        // Past the deadline (5 s + 2 × election timeout) the waiting proposals fail; they still apply later.
        clock.Advance(m.Server.RequestTimeout + TimeSpan.FromSeconds(1));
        var timedOut = await Assert.ThrowsAsync<RpcException>(() => waiting[0]);
        Assert.Equal((StatusCode.Unavailable, "etcdserver: request timed out"), (timedOut.StatusCode, timedOut.Message));

        gate.Set();
        await Poll.UntilAsync(() => m.Server.AppliedIndex >= m.Server.CommittedIndex, TimeSpan.FromSeconds(30), "the applier to catch up");
        Assert.Equal(1 + waiting.Count, m.Server.Store.CurrentRevision);
        Assert.Equal("etcdserver: request timed out", (await Assert.ThrowsAsync<RpcException>(() => held)).Message);
    }

    private static InternalRaftRequest Put(string key) => new() { Put = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8("v") } };

    /// <summary>A lessor whose grant holds the applier until the test opens the gate.</summary>
    private sealed class HeldLessor(ManualResetEventSlim gate) : ILeaseApplier
    {
        public bool Exists(long leaseId) => false;

        public AppliedResult ApplyGrant(LeaseGrantRequest request, MvccWriteTxn txn)
        {
            gate.Wait(TimeSpan.FromSeconds(60));
            return AppliedResult.Failed(Api.Errors.EtcdErrors.NotCapable);
        }

        public AppliedResult ApplyRevoke(LeaseRevokeRequest request, MvccWriteTxn txn) => AppliedResult.Failed(Api.Errors.EtcdErrors.LeaseNotFound);

        public AppliedResult ApplyCheckpoint(LeaseCheckpointRequest request, MvccWriteTxn txn) => AppliedResult.Of(new LeaseCheckpointResponse());

        public void ApplyLeaseChanges(IReadOnlyList<LeaseChange> changes)
        {
        }

        public void OnLeadershipChanged(bool isLeader)
        {
        }
    }
}
