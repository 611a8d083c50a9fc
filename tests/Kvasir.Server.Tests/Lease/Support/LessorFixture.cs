using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Lease;
using Kvasir.Storage.Mvcc;
using Kvasir.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvasir.Server.Tests.Lease.Support;

/// <summary>
/// A lessor over a real MVCC store in a temp directory, with a manual clock, a member whose leadership
/// the test sets, and a proposer that applies at once. <see cref="Reopen"/> closes and reopens both, as a
/// restart would.
/// </summary>
internal sealed class LessorFixture : IDisposable
{
    private readonly TempDir _dir = new("lessor");

    public LessorFixture(LessorOptions? options = null, bool leader = true, bool loop = false)
    {
        Options = options ?? new LessorOptions { Random = new Random(7) };
        Open(leader, loop);
    }

    public ManualTimeProvider Clock { get; } = new();

    public TestMember Member { get; } = new();

    public LessorOptions Options { get; private set; }

    public MvccStore Store { get; private set; } = null!;

    public Lessor Lessor { get; private set; } = null!;

    public DirectApplier Applier { get; private set; } = null!;

    /// <summary>Closes the lessor and the store and opens them again on the same files (a restart).</summary>
    public void Reopen(bool leader = true, LessorOptions? options = null)
    {
        Close();
        Options = options ?? Options;
        Open(leader, loop: false);
    }

    public long Grant(long ttl, long id = 0)
    {
        var r = Propose(new InternalRaftRequest { LeaseGrant = new LeaseGrantRequest { TTL = ttl, ID = id != 0 ? id : Lessor.NewLeaseId() } });
        Assert.Null(r.Error);
        return ((LeaseGrantResponse)r.Response!).ID;
    }

    public Kvasir.Server.Member.AppliedResult Propose(InternalRaftRequest request) => Applier.ProposeAsync(request, CancellationToken.None).GetAwaiter().GetResult();

    public PutResponse Put(string key, string value, long lease)
    {
        var r = Propose(new InternalRaftRequest { Put = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value), Lease = lease } });
        Assert.Null(r.Error);
        return (PutResponse)r.Response!;
    }

    public RangeResponse Get(string key, string? end = null)
    {
        var r = Store.Range(new RangeRequest { Key = ByteString.CopyFromUtf8(key), RangeEnd = end is null ? ByteString.Empty : ByteString.CopyFromUtf8(end) });
        return r.Response!;
    }

    /// <summary>Moves the clock and runs one round of the leader's loop, waiting for the revokes it proposed.</summary>
    public void Tick(TimeSpan by)
    {
        Clock.Advance(by);
        Lessor.RunRoundAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        Close();
        _dir.Dispose();
    }

    private void Open(bool leader, bool loop)
    {
        Store = MvccStore.Open(new MvccOptions { Path = _dir.Sub("db"), Time = Clock });
        Lessor = new Lessor(Store, Member, Options, Clock, NullLoggerFactory.Instance);
        Applier = new DirectApplier(Store, Lessor);
        Lessor.Start(Applier, loop);

        Member.IsLeader = leader;
        if (leader)
        {
            Lessor.OnLeadershipChanged(true);
        }
    }

    private void Close()
    {
        Lessor.Dispose();
        Store.Dispose();
    }
}
