using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Watch;
using Kvasir.Storage.Mvcc;
using Kvasir.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvasir.Server.Tests.Watch.Support;

/// <summary>
/// A real MVCC store in a temp directory and a watch hub over it, written to as the applier does:
/// each write goes through the store, then its events to <see cref="WatchHub.Notify"/>.
/// </summary>
internal sealed class HubHarness : IDisposable
{
    private readonly TempDir _dir = new("kvasir-watch");
    private readonly TimeSpan _syncInterval;
    private long _raftIndex;

    public HubHarness(WatchHubOptions? options = null, bool manualTime = true)
    {
        Store = MvccStore.Open(new MvccOptions { Path = _dir.Sub("db"), CompactionSleepInterval = TimeSpan.Zero });
        Time = new ManualTimeProvider(ManualTimerOptions.StepByStep);
        options ??= new WatchHubOptions { Random = new Random(7) };
        _syncInterval = options.SyncInterval;
        Hub = new WatchHub(Store, Member, options, manualTime ? Time : TimeProvider.System, NullLoggerFactory.Instance);
    }

    public MvccStore Store { get; }

    public FakeMember Member { get; } = new();

    public ManualTimeProvider Time { get; }

    public WatchHub Hub { get; }

    /// <summary>When false, writes reach the store but not the hub (to test a Notify gap).</summary>
    public bool NotifyHub { get; set; } = true;

    public static ByteString B(string s) => ByteString.CopyFromUtf8(s);

    public long Put(string key, string value, bool prevKv = false) =>
        Apply(Store.Put(new PutRequest { Key = B(key), Value = B(value), PrevKv = prevKv }, ++_raftIndex));

    public long Delete(string key, string? rangeEnd = null) =>
        Apply(Store.DeleteRange(new DeleteRangeRequest { Key = B(key), RangeEnd = rangeEnd is null ? ByteString.Empty : B(rangeEnd) }, ++_raftIndex));

    public long Txn(TxnRequest request) => Apply(Store.Txn(request, ++_raftIndex));

    public void Compact(long revision)
    {
        var result = Store.Compact(new CompactionRequest { Revision = revision }, ++_raftIndex);
        Assert.True(result.Ok, result.Error?.Message);
    }

    public TestStream Open() => new(Hub.OpenStream());

    /// <summary>
    /// Polls <paramref name="condition"/>, moving the manual clock one sync interval between tries:
    /// parked watchers are caught up on the sync worker's timer, as in the member.
    /// </summary>
    public Task UntilAsync(Func<bool> condition, TimeSpan bound, string what) =>
        Poll.UntilAsync(
            () =>
            {
                if (condition())
                {
                    return true;
                }

                Time.Advance(_syncInterval);
                return false;
            },
            bound,
            what);

    public void Dispose()
    {
        Hub.Dispose();
        Store.Dispose();
        _dir.Dispose();
    }

    private long Apply<T>(ApplyResult<T> result)
        where T : class
    {
        Assert.True(result.Ok, result.Error?.Message);
        if (NotifyHub && result.Events.Count > 0)
        {
            Hub.Notify(result.Events, result.Revision);
        }

        return result.Revision;
    }
}
