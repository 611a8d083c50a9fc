using System.Diagnostics.Metrics;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;
using Kvasir.Server.Member;
using Kvasir.Server.Metrics;

namespace Kvasir.Server.Tests.Metrics;

public sealed class MvccMetricsTests
{
    [Fact]
    public void Txn_CountsComparesAndTakenBranchIncludingNested()
    {
        var (meter, exporter) = Open();
        using var m = meter;
        using var e = exporter;
        var mvcc = new MvccMetrics(meter);
        var nested = new TxnRequest { Success = { new RequestOp { RequestPut = new PutRequest { Key = Bytes("k2"), Value = Bytes("vv") } } } };
        var request = new TxnRequest
        {
            Compare = { new Compare { Key = Bytes("a") }, new Compare { Key = Bytes("b") } },
            Success = { new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Bytes("x") } }, new RequestOp { RequestTxn = nested } },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = Bytes("never") } } },
        };
        var response = new TxnResponse
        {
            Succeeded = true,
            Responses = { new ResponseOp { ResponseDeleteRange = new DeleteRangeResponse() }, new ResponseOp { ResponseTxn = new TxnResponse { Succeeded = true } } },
        };

        mvcc.Txn(request, response);
        mvcc.Put(new PutRequest { Key = Bytes("abc"), Value = Bytes("de") });
        var text = exporter.Render();

        Assert.Contains("etcd_mvcc_range_total 2\n", text, StringComparison.Ordinal);
        Assert.Contains("etcd_mvcc_delete_total 1\n", text, StringComparison.Ordinal);
        Assert.Contains("etcd_mvcc_put_total 2\n", text, StringComparison.Ordinal);
        Assert.Contains("etcd_mvcc_txn_total 1\n", text, StringComparison.Ordinal);
        Assert.Contains("etcd_debugging_mvcc_put_total 2\n", text, StringComparison.Ordinal);
        Assert.Contains("etcd_debugging_mvcc_total_put_size_in_bytes 9\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void KeysChanged_CreatesAndDeletes_FollowLiveKeys()
    {
        var (meter, exporter) = Open();
        using var m = meter;
        using var e = exporter;
        var mvcc = new MvccMetrics(meter);
        mvcc.SetLiveKeys(5);

        mvcc.KeysChanged(
        [
            new Event { Type = Event.Types.EventType.Put, Kv = new KeyValue { Key = Bytes("new"), Version = 1 } },
            new Event { Type = Event.Types.EventType.Put, Kv = new KeyValue { Key = Bytes("old"), Version = 4 } },
            new Event { Type = Event.Types.EventType.Delete, Kv = new KeyValue { Key = Bytes("gone") } },
            new Event { Type = Event.Types.EventType.Delete, Kv = new KeyValue { Key = Bytes("gone2") } },
        ]);

        Assert.Contains("etcd_debugging_mvcc_keys_total 4\n", exporter.Render(), StringComparison.Ordinal);
    }

    private static ByteString Bytes(string s) => ByteString.CopyFromUtf8(s);

    private static (Meter, PrometheusExporter) Open()
    {
        var meterName = "test-" + Guid.NewGuid().ToString("N");
        return (new Meter(meterName), new PrometheusExporter(meterName));
    }
}
