using System.Text;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;
using Kvasir.Server.Gateway;

namespace Kvasir.Server.Tests.Gateway;

/// <summary>The gateway's JSON against what etcd 3.4's gateway writes for the same messages.</summary>
public sealed class ProtoJsonTests
{
    [Fact]
    public void ToUtf8_RangeResponse_MatchesEtcdsGatewayBytes()
    {
        var response = new RangeResponse
        {
            Header = new ResponseHeader { ClusterId = 324952591200643719, MemberId = 3319814642761637952, Revision = 3, RaftTerm = 2 },
            Kvs = { new KeyValue { Key = ByteString.CopyFromUtf8("foo"), CreateRevision = 2, ModRevision = 2, Version = 1, Value = ByteString.CopyFromUtf8("bar") } },
            Count = 1,
        };

        var text = Encoding.UTF8.GetString(ProtoJson.ToUtf8(response));

        Assert.Equal(
            """{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","revision":"3","raft_term":"2"},"kvs":[{"key":"Zm9v","create_revision":"2","mod_revision":"2","version":"1","value":"YmFy"}],"count":"1"}""",
            text);
    }

    [Fact]
    public void ToUtf8_EnumsByName_OneofOnlyTheSetCase()
    {
        var txn = new TxnRequest
        {
            Compare = { new Compare { Key = ByteString.CopyFromUtf8("k"), Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 } },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8("k"), Value = ByteString.CopyFromUtf8("v") } } },
        };

        var text = Encoding.UTF8.GetString(ProtoJson.ToUtf8(txn));

        Assert.Equal("""{"compare":[{"target":"CREATE","key":"aw==","create_revision":"0"}],"success":[{"request_put":{"key":"aw==","value":"dg=="}}]}""", text);
    }

    [Fact]
    public void Parse_AcceptsSnakeAndCamelNames_AndStringOrNumber64BitValues()
    {
        var a = ProtoJson.Parse<RangeRequest>("""{"key":"Zm9v","range_end":"Zm9w","limit":"5","count_only":true}""");
        var b = ProtoJson.Parse<RangeRequest>("""{"key":"Zm9v","rangeEnd":"Zm9w","limit":5,"countOnly":true}""");
        Assert.Equal(a, b);
        Assert.Equal("foo", a.Key.ToStringUtf8());
        Assert.Equal(5, a.Limit);
        Assert.Equal(new RangeRequest(), ProtoJson.Parse<RangeRequest>(""));
    }

    [Fact]
    public void Parse_Malformed_Throws()
    {
        Assert.Equal("unexpected EOF", Assert.Throws<GoJsonException>(() => ProtoJson.Parse<RangeRequest>("{\"key\":")).Message);
        Assert.Equal("illegal base64 data at input byte 0", Assert.Throws<GoJsonException>(() => ProtoJson.Parse<RangeRequest>("{\"key\":\"%%%\"}")).Message);
    }
}
