using System.Text.Json;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Testing;

namespace Kvasir.Storage.Tests.Mvcc;

/// <summary>
/// The same history applied to a real etcd 3.4.23 (through etcdctl) and to the store: HashKV at every
/// revision, before and after a compaction, must be equal (the backend rows are etcd's bytes), and so must
/// a sorted, limited range (etcd sorts only the first limit+1 keys when no sort order is given).
/// </summary>
public sealed class EtcdDifferentialTests
{
    private static readonly (string Op, string Key, string Value)[] History =
    [
        ("put", "a", "1"), ("put", "b", "2"), ("put", "a", "3"), ("del", "b", ""), ("put", "c", "4"),
        ("put", "b", "5"), ("put", "c", "6"), ("put", "c", "7"), ("del", "a", ""), ("put", "d", "8"),
    ];

    [Fact]
    public async Task HashKVAndSortedRange_SameHistory_EqualEtcds()
    {
        Assert.True(EtcdServer.IsInstalled && Etcdctl.IsInstalled, "etcd 3.4.23 and etcdctl are not installed");
        await using var etcd = await EtcdServer.StartAsync();
        using var f = new StoreFixture();
        foreach (var (op, key, value) in History)
        {
            if (op == "put")
            {
                await Ctl(etcd, "put", key, value);
                f.Put(key, value);
            }
            else
            {
                await Ctl(etcd, "del", key);
                f.Store.DeleteRange(new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(key) }, f.NextIndex());
            }
        }

        Assert.Equal(11, f.Store.CurrentRevision);
        for (var rev = 2; rev <= 11; rev++)
        {
            Assert.Equal(await EtcdHashKV(etcd, rev), f.Store.HashKV(rev).Response!.Hash);
        }

        await Ctl(etcd, "compaction", "6");
        var compact = f.Store.Compact(new CompactionRequest { Revision = 6 }, f.NextIndex());
        await compact.Physical.WaitAsync(TimeSpan.FromSeconds(30));
        for (var rev = 7; rev <= 11; rev++)
        {
            Assert.Equal(await EtcdHashKV(etcd, rev), f.Store.HashKV(rev).Response!.Hash);
        }

        // No sort order, a sort target and a limit: etcd sorts the first limit+1 keys only.
        var json = await Ctl(etcd, "get", "a", "z", "--sort-by=MODIFY", "--limit=2", "-w", "json");
        var etcdKeys = JsonDocument.Parse(json).RootElement.GetProperty("kvs").EnumerateArray()
            .Select(kv => Convert.FromBase64String(kv.GetProperty("key").GetString()!)).Select(b => System.Text.Encoding.UTF8.GetString(b)).ToList();
        var ours = f.Store.Range(new RangeRequest
        {
            Key = ByteString.CopyFromUtf8("a"),
            RangeEnd = ByteString.CopyFromUtf8("z"),
            Limit = 2,
            SortTarget = RangeRequest.Types.SortTarget.Mod,
        }).Response!;
        Assert.Equal(etcdKeys, ours.Kvs.Select(kv => kv.Key.ToStringUtf8()).ToList());
    }

    private static async Task<uint> EtcdHashKV(EtcdServer etcd, long rev)
    {
        var json = await Ctl(etcd, "endpoint", "hashkv", $"--rev={rev}", "-w", "json");
        return JsonDocument.Parse(json).RootElement[0].GetProperty("HashKV").GetProperty("hash").GetUInt32();
    }

    private static async Task<string> Ctl(EtcdServer etcd, params string[] args)
    {
        var result = await Etcdctl.RunAsync(etcd.Endpoint, args);
        Assert.True(result.ExitCode == 0, $"etcdctl {string.Join(' ', args)}: {result}");
        return result.Stdout;
    }
}
