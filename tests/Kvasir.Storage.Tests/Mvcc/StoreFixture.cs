using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Storage.Mvcc;
using Kvasir.Testing;

namespace Kvasir.Storage.Tests.Mvcc;

/// <summary>A store in a fresh directory, with helpers for the small tests.</summary>
internal sealed class StoreFixture : IDisposable
{
    private readonly TempDir _dir = new("mvcc");
    private long _index;

    public StoreFixture(int batchLimit = 10_000)
    {
        Options = new MvccOptions { Path = _dir.Sub("mvcc.db"), BatchLimit = batchLimit, CompactionSleepInterval = TimeSpan.Zero };
        Store = MvccStore.Open(Options);
    }

    public MvccOptions Options { get; }

    public MvccStore Store { get; private set; }

    public string Dir => _dir.Path;

    public long NextIndex() => ++_index;

    public static ByteString B(string s) => ByteString.CopyFromUtf8(s);

    public PutResponse Put(string key, string value, long lease = 0)
    {
        var r = Store.Put(new PutRequest { Key = B(key), Value = B(value), Lease = lease }, NextIndex());
        return r.Response ?? throw new InvalidOperationException(r.Error!.ToString());
    }

    public RangeResponse Get(string key, string? end = null, long rev = 0)
    {
        var r = Store.Range(new RangeRequest { Key = B(key), RangeEnd = end is null ? ByteString.Empty : B(end), Revision = rev });
        return r.Response ?? throw new InvalidOperationException(r.Error!.ToString());
    }

    public void Reopen()
    {
        Store.Dispose();
        Store = MvccStore.Open(Options);
        _index = Store.ConsistentIndex;
    }

    public void Dispose()
    {
        Store.Dispose();
        _dir.Dispose();
    }
}
