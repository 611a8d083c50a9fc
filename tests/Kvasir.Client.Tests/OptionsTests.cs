using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Client.Tests;

/// <summary>What the client refuses before sending anything, and how options become requests.</summary>
public sealed class OptionsTests
{
    [Fact]
    public void Validate_NoEndpoints_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new EtcdClient(new EtcdClientOptions { Endpoints = [] }));
        Assert.Contains("endpoint", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UserWithoutPassword_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new EtcdClientOptions { Endpoints = ["127.0.0.1:1"], Username = "root" }.Validate());
        Assert.Contains("password", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_KeepAliveTooFrequent_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new EtcdClientOptions { Endpoints = ["127.0.0.1:1"], KeepAliveTime = TimeSpan.FromSeconds(1) }.Validate());
        Assert.Equal(nameof(EtcdClientOptions.KeepAliveTime), e.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Validate_NonPositiveTimeouts_Throw(int seconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EtcdClientOptions { Endpoints = ["127.0.0.1:1"], DialTimeout = TimeSpan.FromSeconds(seconds) }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new EtcdClientOptions { Endpoints = ["127.0.0.1:1"], CommandTimeout = TimeSpan.FromSeconds(seconds) }.Validate());
    }

    [Fact]
    public void Validate_BadEndpoint_ThrowsWhenBuilt()
    {
        Assert.Throws<ArgumentException>(() => new EtcdClient(new EtcdClientOptions { Endpoints = ["ftp://127.0.0.1:1"] }));
        Assert.Throws<ArgumentException>(() => new EtcdClient(new EtcdClientOptions { Endpoints = [" "] }));
    }

    [Fact]
    public async Task WithRequireLeader_OneViewPerClient_DisposingItLeavesTheClient()
    {
        await using var client = EtcdClient.Create("127.0.0.1:1");
        Assert.False(client.RequiresLeader);
        var view = client.WithRequireLeader();
        Assert.True(view.RequiresLeader);
        Assert.Same(view, client.WithRequireLeader());
        Assert.Same(view, view.WithRequireLeader());
        await view.DisposeAsync();
        Assert.False(client.Core.IsDisposed);
    }

    [Fact]
    public async Task DisposedClient_CallsThrowObjectDisposed()
    {
        var client = EtcdClient.Create("127.0.0.1:1");
        await client.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.KV.GetAsync("k"));
        Assert.Throws<ObjectDisposedException>(() => client.Watch.WatchAsync("k"));
        Assert.Throws<ObjectDisposedException>(() => client.Lease.KeepAlive(1));
    }

    [Fact]
    public void GetOptions_Prefix_SetsPrefixEnd()
    {
        var request = new GetOptions { Prefix = true }.ToRequest(ByteString.CopyFromUtf8("abc"));
        Assert.Equal("abc", request.Key.ToStringUtf8());
        Assert.Equal("abd", request.RangeEnd.ToStringUtf8());
    }

    [Fact]
    public void GetOptions_PrefixOfNothing_IsEveryKey()
    {
        var request = new GetOptions { Prefix = true }.ToRequest(ByteString.Empty);
        Assert.Equal(new byte[] { 0 }, request.Key.ToByteArray());
        Assert.Equal(new byte[] { 0 }, request.RangeEnd.ToByteArray());
    }

    [Fact]
    public void GetOptions_FromKey_SetsNulEnd()
    {
        var request = new GetOptions { FromKey = true }.ToRequest(ByteString.CopyFromUtf8("m"));
        Assert.Equal("m", request.Key.ToStringUtf8());
        Assert.Equal(new byte[] { 0 }, request.RangeEnd.ToByteArray());
    }

    [Fact]
    public void GetOptions_EveryField_CarriedOver()
    {
        var request = new GetOptions
        {
            RangeEnd = ByteString.CopyFromUtf8("z"),
            Revision = 7,
            Limit = 3,
            SortOrder = RangeRequest.Types.SortOrder.Descend,
            SortTarget = RangeRequest.Types.SortTarget.Mod,
            Serializable = true,
            KeysOnly = true,
            MinModRevision = 1,
            MaxModRevision = 2,
            MinCreateRevision = 3,
            MaxCreateRevision = 4,
        }.ToRequest(ByteString.CopyFromUtf8("a"));
        Assert.Equal("z", request.RangeEnd.ToStringUtf8());
        Assert.Equal((7, 3, RangeRequest.Types.SortOrder.Descend, RangeRequest.Types.SortTarget.Mod), (request.Revision, request.Limit, request.SortOrder, request.SortTarget));
        Assert.True(request.Serializable && request.KeysOnly && !request.CountOnly);
        Assert.Equal((1, 2, 3, 4), (request.MinModRevision, request.MaxModRevision, request.MinCreateRevision, request.MaxCreateRevision));
    }

    [Fact]
    public void GetOptions_TwoWaysToEndTheRange_Throws()
    {
        var key = ByteString.CopyFromUtf8("a");
        Assert.Throws<ArgumentException>(() => new GetOptions { Prefix = true, FromKey = true }.ToRequest(key));
        Assert.Throws<ArgumentException>(() => new GetOptions { Prefix = true, RangeEnd = ByteString.CopyFromUtf8("b") }.ToRequest(key));
        Assert.Throws<ArgumentException>(() => new DeleteOptions { FromKey = true, RangeEnd = ByteString.CopyFromUtf8("b") }.ToRequest(key));
        Assert.Throws<ArgumentException>(() => new WatchOptions { Prefix = true, FromKey = true }.ToCreateRequest(key));
    }

    [Fact]
    public void GetOptions_NegativeOrContradictory_Throws()
    {
        var key = ByteString.CopyFromUtf8("a");
        Assert.Throws<ArgumentOutOfRangeException>(() => new GetOptions { Limit = -1 }.ToRequest(key));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GetOptions { Revision = -5 }.ToRequest(key));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GetOptions { MaxCreateRevision = -1 }.ToRequest(key));
        Assert.Throws<ArgumentException>(() => new GetOptions { KeysOnly = true, CountOnly = true }.ToRequest(key));
    }

    [Fact]
    public void WatchOptions_NegativeStartOrNothingToWatch_Throws()
    {
        var key = ByteString.CopyFromUtf8("a");
        Assert.Throws<ArgumentOutOfRangeException>(() => new WatchOptions { StartRevision = -1 }.ToCreateRequest(key));
        Assert.Throws<ArgumentException>(() => new WatchOptions { NoPut = true, NoDelete = true }.ToCreateRequest(key));
    }

    [Fact]
    public void WatchOptions_Filters_CarriedOver()
    {
        var request = new WatchOptions { NoPut = true, PrevKv = true, ProgressNotify = true, Fragment = true, StartRevision = 9 }.ToCreateRequest(ByteString.CopyFromUtf8("a"));
        Assert.Equal([WatchCreateRequest.Types.FilterType.Noput], request.Filters);
        Assert.True(request.PrevKv && request.ProgressNotify && request.Fragment);
        Assert.Equal(9, request.StartRevision);
    }
}
