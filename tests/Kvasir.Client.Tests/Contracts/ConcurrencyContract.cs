using Kvasir.Client.Concurrency;
using Kvasir.Client.Tests.Support;
using Kvasir.Testing;

namespace Kvasir.Client.Tests.Contracts;

/// <summary>
/// Session, Mutex and Election through the client, and against the real etcdctl's <c>lock</c> and
/// <c>elect</c>, which use etcd's Go recipes: the same keys, so they must exclude each other.
/// Exclusion is checked on revisions, not on timing: when a locker holds the lock, the key of the
/// one before it is gone at the revision of the grant, and existed when the locker queued.
/// </summary>
public abstract class ConcurrencyContract(ServerFixture server)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    protected ServerFixture Server { get; } = server;

    [ServerFact]
    public async Task Session_Closed_RevokesLeaseAndItsKeys()
    {
        var client = await Server.StartAsync();
        var key = Keys.Unique("conc") + "k";
        var session = await Session.CreateAsync(client, new SessionOptions { Ttl = 30 });
        await client.KV.PutAsync(key, "v", new PutOptions { Lease = session.LeaseId });
        await session.CloseAsync();
        Assert.Empty((await client.KV.GetAsync(key)).Kvs);
        Assert.Equal(-1, (await client.Lease.TimeToLiveAsync(session.LeaseId)).TTL);
        Assert.True(session.Done.IsCancellationRequested);
    }

    [ServerFact]
    public async Task Session_LeaseRevokedElsewhere_DoneAndExpired()
    {
        var client = await Server.StartAsync();
        await using var session = await Session.CreateAsync(client, new SessionOptions { Ttl = 3 });
        await client.Lease.RevokeAsync(session.LeaseId);
        await Poll.UntilAsync(() => session.Done.IsCancellationRequested, Bound, "the session to notice its lease is gone");
        Assert.True(session.IsExpired);
        await Assert.ThrowsAsync<SessionExpiredException>(() => new EtcdMutex(session, Keys.Unique("conc")).LockAsync());
    }

    [ServerFact]
    public async Task Session_BadTtl_Refused()
    {
        var client = await Server.StartAsync();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Session.CreateAsync(client, new SessionOptions { Ttl = 0 }));
    }

    [ServerFact]
    public async Task Mutex_TwoLockers_SecondGetsItOnlyAfterTheFirstUnlocks()
    {
        var client = await Server.StartAsync();
        var name = Keys.Unique("conc") + "lock";
        await using var s1 = await Session.CreateAsync(client);
        await using var s2 = await Session.CreateAsync(client);
        var first = new EtcdMutex(s1, name);
        var second = new EtcdMutex(s2, name);
        await first.LockAsync();
        Assert.Equal($"{name}/{s1.LeaseId:x}", first.Key);

        var waiting = second.LockAsync();
        await WaitForLockersAsync(client, name, 2);
        Assert.False(waiting.IsCompleted, "the second locker must wait while the first holds the lock");
        await first.UnlockAsync();
        await waiting.WaitAsync(Bound);
        await AssertFollowedAsync(client, $"{name}/{s1.LeaseId:x}", second);
        await second.UnlockAsync();
        await WaitForLockersAsync(client, name, 0);
    }

    [ServerFact]
    public async Task Mutex_TryLock_FalseWhileHeldLeavesNoKey()
    {
        var client = await Server.StartAsync();
        var name = Keys.Unique("conc") + "lock";
        await using var s1 = await Session.CreateAsync(client);
        await using var s2 = await Session.CreateAsync(client);
        var holder = new EtcdMutex(s1, name);
        Assert.True(await holder.TryLockAsync());
        var other = new EtcdMutex(s2, name);
        Assert.False(await other.TryLockAsync());
        Assert.Equal(1, await LockersAsync(client, name));
        await holder.UnlockAsync();
        Assert.True(await other.TryLockAsync());
        await other.UnlockAsync();
    }

    [ServerFact]
    public async Task Mutex_WaitCancelled_WithdrawsItsKey()
    {
        var client = await Server.StartAsync();
        var name = Keys.Unique("conc") + "lock";
        await using var s1 = await Session.CreateAsync(client);
        await using var s2 = await Session.CreateAsync(client);
        var holder = new EtcdMutex(s1, name);
        await holder.LockAsync();
        using var cancel = new CancellationTokenSource();
        var waiting = new EtcdMutex(s2, name).LockAsync(cancel.Token);
        await WaitForLockersAsync(client, name, 2);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Bound));
        await WaitForLockersAsync(client, name, 1);
        await holder.UnlockAsync();
    }

    [ServerFact]
    public async Task Mutex_CancelledWhileQueueing_LeavesNoKey()
    {
        // Cancelled at every moment of the queueing round trip, including after the server applied it
        // and before the answer arrived: the waiter's key must go every time.
        var client = await Server.StartAsync();
        var name = Keys.Unique("conc") + "lock";
        await using var s1 = await Session.CreateAsync(client);
        var holder = new EtcdMutex(s1, name);
        await holder.LockAsync();
        for (var i = 0; i < 12; i++)
        {
            await using var s2 = await Session.CreateAsync(client);
            using var cancel = new CancellationTokenSource();
            var waiting = new EtcdMutex(s2, name).LockAsync(cancel.Token);
            await Task.Delay(TimeSpan.FromMicroseconds(i * 250));
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Bound));
            Assert.Equal(1, await LockersAsync(client, name));
        }

        await holder.UnlockAsync();
    }

    [ServerFact]
    public async Task Election_CancelledWhileQueueing_LeavesNoCandidate()
    {
        var client = await Server.StartAsync();
        var name = Keys.Unique("conc") + "elect";
        await using var s1 = await Session.CreateAsync(client);
        var leader = new Election(s1, name);
        await leader.CampaignAsync("leader");
        for (var i = 0; i < 12; i++)
        {
            await using var s2 = await Session.CreateAsync(client);
            using var cancel = new CancellationTokenSource();
            var waiting = new Election(s2, name).CampaignAsync("candidate", cancel.Token);
            await Task.Delay(TimeSpan.FromMicroseconds(i * 250));
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Bound));
            Assert.Equal(1, await LockersAsync(client, name));
        }

        await leader.ResignAsync();
    }

    [ServerFact]
    public async Task Mutex_IsOwner_GuardsWritesOnlyWhileHeld()
    {
        var client = await Server.StartAsync();
        var name = Keys.Unique("conc") + "lock";
        await using var session = await Session.CreateAsync(client);
        var mutex = new EtcdMutex(session, name);
        await mutex.LockAsync();
        var guarded = await client.KV.Txn().If(mutex.IsOwner()).Then(Op.Put(name + "-data", "held")).CommitAsync();
        Assert.True(guarded.Succeeded);
        var owner = mutex.IsOwner();
        await mutex.UnlockAsync();
        var late = await client.KV.Txn().If(owner).Then(Op.Put(name + "-data", "late")).CommitAsync();
        Assert.False(late.Succeeded);
    }

    [ServerFact]
    public async Task Mutex_EtcdctlHoldsTheLock_OursWaitsUntilItReleases()
    {
        var client = await Server.StartAsync();
        var name = Keys.Unique("conc") + "lock";
        using var etcdctl = Etcdctl.Start(Server.Endpoint, ["lock", name]);
        await etcdctl.WaitForOutputAsync(name + "/", Bound);
        var theirKey = etcdctl.Stdout.Split('\n')[0].Trim();

        await using var session = await Session.CreateAsync(client);
        var ours = new EtcdMutex(session, name);
        var waiting = ours.LockAsync();
        await WaitForLockersAsync(client, name, 2);
        Assert.False(waiting.IsCompleted, "our locker must wait while etcdctl holds the lock");

        etcdctl.Terminate();
        await waiting.WaitAsync(Bound);
        await AssertFollowedAsync(client, theirKey, ours);
        Assert.True(await etcdctl.WaitForExitAsync(Bound));
        await ours.UnlockAsync();
    }

    [ServerFact]
    public async Task Mutex_OursHoldsTheLock_EtcdctlWaitsUntilWeRelease()
    {
        var client = await Server.StartAsync();
        var name = Keys.Unique("conc") + "lock";
        await using var session = await Session.CreateAsync(client);
        var ours = new EtcdMutex(session, name);
        await ours.LockAsync();
        var ourKey = ours.Key;

        // etcdctl runs the command once it holds the lock, with the revision it got it at.
        using var etcdctl = Etcdctl.Start(Server.Endpoint, ["lock", name, "--", "sh", "-c", "echo acquired-at=$ETCD_LOCK_REV"]);
        await WaitForLockersAsync(client, name, 2);
        Assert.False(etcdctl.Stdout.Contains("acquired-at", StringComparison.Ordinal), "etcdctl must wait while we hold the lock");

        await ours.UnlockAsync();
        Assert.True(await etcdctl.WaitForExitAsync(Bound), "etcdctl lock ends once it ran its command");
        Assert.Equal(0, etcdctl.ExitCode);
        var line = etcdctl.Stdout.Split('\n').Single(l => l.StartsWith("acquired-at=", StringComparison.Ordinal));
        var granted = long.Parse(line["acquired-at=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Empty((await client.KV.GetAsync(ourKey, new GetOptions { Revision = granted })).Kvs);
    }

    [ServerFact]
    public async Task Election_CampaignProclaimResign_NextCandidateElected()
    {
        var client = await Server.StartAsync();
        var name = Keys.Unique("conc") + "election";
        await using var s1 = await Session.CreateAsync(client);
        await using var s2 = await Session.CreateAsync(client);
        var first = new Election(s1, name);
        var second = new Election(s2, name);
        Assert.Null(await first.LeaderAsync());

        await first.CampaignAsync("one");
        Assert.Equal("one", (await first.LeaderAsync())!.Value.ToStringUtf8());
        await first.ProclaimAsync("one-again");
        Assert.Equal("one-again", (await second.LeaderAsync())!.Value.ToStringUtf8());

        var campaigning = second.CampaignAsync("two");
        await WaitForLockersAsync(client, name, 2);
        Assert.False(campaigning.IsCompleted, "the second candidate waits while the first leads");
        await Assert.ThrowsAsync<ElectionNotLeaderException>(() => new Election(s2, name).ProclaimAsync("usurper"));

        await first.ResignAsync();
        await campaigning.WaitAsync(Bound);
        Assert.Equal("two", (await first.LeaderAsync())!.Value.ToStringUtf8());
        await Assert.ThrowsAsync<ElectionNotLeaderException>(() => first.ProclaimAsync("back"));
        await second.ResignAsync();
        Assert.Null(await second.LeaderAsync());
    }

    [ServerFact]
    public async Task Election_Observe_SeesEachLeaderAndProclamation()
    {
        var client = await Server.StartAsync();
        var name = Keys.Unique("conc") + "election";
        await using var observerSession = await Session.CreateAsync(client);
        await using var s1 = await Session.CreateAsync(client);
        await using var s2 = await Session.CreateAsync(client);
        using var cancel = new CancellationTokenSource(Bound * 2);
        await using var observed = new Election(observerSession, name).ObserveAsync(cancel.Token).GetAsyncEnumerator(cancel.Token);

        var first = new Election(s1, name);
        var second = new Election(s2, name);
        var observing = observed.MoveNextAsync().AsTask();
        await first.CampaignAsync("a");
        Assert.True(await observing.WaitAsync(Bound));
        Assert.Equal("a", observed.Current.Value.ToStringUtf8());
        await first.ProclaimAsync("b");
        Assert.True(await observed.MoveNextAsync().AsTask().WaitAsync(Bound));
        Assert.Equal("b", observed.Current.Value.ToStringUtf8());
        var campaigning = second.CampaignAsync("c");
        await first.ResignAsync();
        Assert.True(await observed.MoveNextAsync().AsTask().WaitAsync(Bound));
        Assert.Equal(("c", $"{name}/{s2.LeaseId:x}"), (observed.Current.Value.ToStringUtf8(), observed.Current.Key.ToStringUtf8()));
        await campaigning.WaitAsync(Bound);
        await second.ResignAsync();
    }

    [ServerFact]
    public async Task Election_AgainstEtcdctlElect_OneContest()
    {
        var client = await Server.StartAsync();
        var name = Keys.Unique("conc") + "election";
        using var theirs = Etcdctl.Start(Server.Endpoint, ["elect", name, "etcdctl-proposal"]);
        await theirs.WaitForOutputAsync("etcdctl-proposal", Bound);

        await using var session = await Session.CreateAsync(client);
        var ours = new Election(session, name);
        Assert.Equal("etcdctl-proposal", (await ours.LeaderAsync())!.Value.ToStringUtf8());
        var campaigning = ours.CampaignAsync("kvasir-proposal");
        await WaitForLockersAsync(client, name, 2);
        Assert.False(campaigning.IsCompleted, "we wait while etcdctl leads");

        using var listener = Etcdctl.Start(Server.Endpoint, ["elect", "-l", name]);
        await listener.WaitForOutputAsync("etcdctl-proposal", Bound);
        theirs.Terminate();
        await campaigning.WaitAsync(Bound);
        Assert.Equal("kvasir-proposal", (await ours.LeaderAsync())!.Value.ToStringUtf8());
        await listener.WaitForOutputAsync("kvasir-proposal", Bound);
        await ours.ProclaimAsync("kvasir-again");
        await listener.WaitForOutputAsync("kvasir-again", Bound);
        await ours.ResignAsync();
    }

    private static async Task<long> LockersAsync(EtcdClient client, string name) =>
        (await client.KV.GetAsync(name + "/", new GetOptions { Prefix = true, CountOnly = true })).Count;

    private static Task WaitForLockersAsync(EtcdClient client, string name, int count) =>
        Poll.UntilAsync(async () => await LockersAsync(client, name) == count, Bound, $"{count} keys under {name}/");

    /// <summary>The lock passed from <paramref name="previousKey"/> to <paramref name="next"/>: the previous key existed when
    /// <paramref name="next"/> queued, and was gone at the revision <paramref name="next"/> was granted the lock.</summary>
    private static async Task AssertFollowedAsync(EtcdClient client, string previousKey, EtcdMutex next)
    {
        Assert.NotNull(next.Header);
        Assert.Single((await client.KV.GetAsync(previousKey, new GetOptions { Revision = next.Revision })).Kvs);
        Assert.Empty((await client.KV.GetAsync(previousKey, new GetOptions { Revision = next.Header!.Revision })).Kvs);
    }
}
