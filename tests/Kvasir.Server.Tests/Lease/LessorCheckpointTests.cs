using System.Buffers.Binary;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Lease;
using Kvasir.Server.Tests.Lease.Support;
using Kvasir.Storage.Mvcc;
using Kvasir.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvasir.Server.Tests.Lease;

/// <summary>Checkpoints of remaining TTLs, and recovery from the backend after a restart or a leader change.</summary>
public sealed class LessorCheckpointTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static LessorOptions Every10s(bool persist = true, bool enabled = true) =>
        new() { CheckpointInterval = TimeSpan.FromSeconds(10), CheckpointPersist = persist, CheckpointEnabled = enabled, Random = new Random(1) };

    [Fact]
    public void RunRound_CheckpointDue_ProposesRemainingTtlAndPersistsIt()
    {
        using var fx = new LessorFixture(Every10s());
        var id = fx.Grant(60);
        fx.Tick(9 * Second);
        Assert.Equal(0, fx.Applier.Checkpoints);

        fx.Tick(TimeSpan.FromMilliseconds(1500));
        var checkpoint = Assert.Single(Assert.Single(fx.Applier.CheckpointLog).Checkpoints);
        Assert.Equal(id, checkpoint.ID);
        Assert.Equal(50, checkpoint.RemainingTTL); // 49.5 s left, rounded up as etcd does
        Assert.Equal(50, Stored(fx, id).RemainingTTL);

        // The next one is due an interval after the last was applied.
        fx.Tick(10 * Second);
        Assert.Equal(40, fx.Applier.CheckpointLog[^1].Checkpoints[0].RemainingTTL);
    }

    [Fact]
    public void RunRound_TtlNotAboveTheInterval_NoCheckpoint()
    {
        using var fx = new LessorFixture(Every10s());
        fx.Grant(10);
        fx.Tick(5 * Second);
        fx.Tick(5 * Second);
        Assert.Equal(0, fx.Applier.Checkpoints);
    }

    [Fact]
    public void RunRound_CheckpointsDisabled_NoCheckpoint()
    {
        using var fx = new LessorFixture(Every10s(enabled: false));
        var id = fx.Grant(60);
        fx.Tick(30 * Second);
        Assert.Equal(0, fx.Applier.Checkpoints);
        Assert.Equal(0, Stored(fx, id).RemainingTTL);
    }

    [Fact]
    public void OnLeadershipChanged_NewLeaderAfterACheckpoint_CountsFromTheCheckpointNotTheFullTtl()
    {
        using var fx = new LessorFixture(Every10s());
        var id = fx.Grant(60);
        fx.Tick(10 * Second);
        fx.Lessor.OnLeadershipChanged(false);
        fx.Clock.Advance(TimeSpan.FromMinutes(3));
        fx.Lessor.OnLeadershipChanged(true);

        // 50 s from the checkpoint plus one election timeout; etcd without checkpoints would restart at 61.
        Assert.Equal(51, fx.Lessor.TimeToLive(id, false)!.TTL);
    }

    [Fact]
    public async Task RenewAsync_AfterACheckpoint_ProposesACheckpointOfZeroFirst()
    {
        using var fx = new LessorFixture(Every10s());
        var id = fx.Grant(60);
        fx.Tick(10 * Second);
        Assert.Equal(50, Stored(fx, id).RemainingTTL);

        var renewal = await fx.Lessor.RenewAsync(id, CancellationToken.None);
        Assert.Equal(new LeaseRenewal(LeaseRenewalStatus.Renewed, 60), renewal);
        Assert.Equal(0, fx.Applier.CheckpointLog[^1].Checkpoints[0].RemainingTTL);
        Assert.Equal(0, Stored(fx, id).RemainingTTL);
        Assert.Equal(60, fx.Lessor.TimeToLive(id, false)!.TTL);

        // Renewing again records nothing more: the remaining TTL is clear.
        var before = fx.Applier.Checkpoints;
        await fx.Lessor.RenewAsync(id, CancellationToken.None);
        Assert.Equal(before, fx.Applier.Checkpoints);
    }

    [Fact]
    public void Reopen_AfterACheckpoint_LeasesKeysAndRemainingTtlsBack()
    {
        using var fx = new LessorFixture(Every10s());
        var a = fx.Grant(100);
        var b = fx.Grant(30);
        fx.Put("a/1", "x", a);
        fx.Put("a/2", "y", a);
        fx.Put("b/1", "z", b);
        fx.Put("free", "w", 0);
        fx.Tick(10 * Second);
        var revision = fx.Store.CurrentRevision;

        fx.Reopen(leader: true);

        Assert.Equal(revision, fx.Store.CurrentRevision);
        var ta = fx.Lessor.TimeToLive(a, true)!;
        Assert.Equal(100, ta.GrantedTTL);
        Assert.Equal(91, ta.TTL);
        Assert.Equal(["a/1", "a/2"], ta.Keys.Select(k => k.ToStringUtf8()).ToArray());
        Assert.Equal(21, fx.Lessor.TimeToLive(b, false)!.TTL);

        // The recovered lease expires from its checkpoint and takes its keys with it.
        fx.Tick(21 * Second);
        Assert.False(fx.Lessor.Exists(b));
        Assert.Equal(0, fx.Get("b/1").Count);
        Assert.Equal(1, fx.Get("free").Count);
        Assert.Equal(2, fx.Get("a/", "a0").Count);
    }

    [Fact]
    public void Reopen_CheckpointsNotPersisted_FullTtlAgain()
    {
        using var fx = new LessorFixture(Every10s(persist: false));
        var a = fx.Grant(100);
        fx.Tick(10 * Second);
        Assert.Equal(1, fx.Applier.Checkpoints);
        fx.Reopen(leader: true);
        Assert.Equal(101, fx.Lessor.TimeToLive(a, false)!.TTL);
    }

    [Fact]
    public void Reopen_AsFollower_NothingExpires()
    {
        using var fx = new LessorFixture();
        var a = fx.Grant(5);
        fx.Reopen(leader: false);
        fx.Tick(TimeSpan.FromMinutes(1));
        Assert.True(fx.Lessor.Exists(a));
        Assert.Equal(5, fx.Lessor.TimeToLive(a, false)!.GrantedTTL);
    }

    [Fact]
    public void Reopen_StoredTtlBelowANewMinimum_RaisedToIt()
    {
        using var fx = new LessorFixture();
        var a = fx.Grant(3);
        fx.Reopen(leader: false, options: new LessorOptions { MinLeaseTtlSeconds = 7, Random = new Random(2) });
        Assert.Equal(7, fx.Lessor.TimeToLive(a, false)!.GrantedTTL);
    }

    [Fact]
    public void Constructor_KeyNamesALeaseTheBackendLacks_KeyStaysUnattached()
    {
        using var dir = new TempDir("lessor");
        var member = new TestMember();
        using (var store = MvccStore.Open(new MvccOptions { Path = dir.Sub("db") }))
        {
            Assert.True(store.Put(new PutRequest { Key = ByteString.CopyFromUtf8("k"), Lease = 555 }, 1).Ok);
        }

        using (var store = MvccStore.Open(new MvccOptions { Path = dir.Sub("db") }))
        using (var lessor = new Lessor(store, member, new LessorOptions(), TimeProvider.System, NullLoggerFactory.Instance))
        {
            Assert.False(lessor.Exists(555));
            Assert.Equal(0, lessor.Count);
        }
    }

    [Theory]
    [InlineData(8, new byte[] { 0xFF, 0xFF, 0xFF }, "is not a leasepb.Lease")]
    [InlineData(3, new byte[] { 0x08, 0x01 }, "lease keys are 8-byte ids")]
    public void Constructor_CorruptLeaseBucket_ClearError(int keyLength, byte[] value, string message)
    {
        using var dir = new TempDir("lessor");
        using var store = MvccStore.Open(new MvccOptions { Path = dir.Sub("db") });
        using (var txn = store.BeginWrite(1))
        {
            txn.BucketPut(Lessor.Bucket, new byte[keyLength], value);
            txn.End();
        }

        var e = Assert.Throws<InvalidDataException>(() => new Lessor(store, new TestMember(), new LessorOptions(), TimeProvider.System, NullLoggerFactory.Instance));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_BadOptions_ClearErrorAndNothingRead()
    {
        using var dir = new TempDir("lessor");
        using var store = MvccStore.Open(new MvccOptions { Path = dir.Sub("db") });
        var cases = new[]
        {
            new LessorOptions { MinLeaseTtlSeconds = 0 },
            new LessorOptions { RevokeRate = 0 },
            new LessorOptions { CheckpointInterval = TimeSpan.Zero },
            new LessorOptions { LoopInterval = TimeSpan.FromSeconds(-1) },
            new LessorOptions { PromotionExtension = TimeSpan.FromSeconds(-1) },
            new LessorOptions { MaxPendingRevokes = 0 },
        };
        foreach (var options in cases)
        {
            Assert.Throws<ArgumentException>(() => new Lessor(store, new TestMember(), options, TimeProvider.System, NullLoggerFactory.Instance));
        }
    }

    private static Api.Leasepb.Lease Stored(LessorFixture fx, long id)
    {
        var key = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(key, id);
        return Api.Leasepb.Lease.Parser.ParseFrom(fx.Store.BucketGet(Lessor.Bucket, key));
    }
}
