using System.Text.Json;
using Kvasir.Api.Errors;
using Kvasir.Grpc.Tests.Support;
using Kvasir.Testing;

namespace Kvasir.Grpc.Tests;

/// <summary>The real etcdctl 3.4.23 against our server hosting a small in-test KV: it cannot tell it from etcd.</summary>
public sealed class EtcdctlAgainstServerTests : IAsyncLifetime
{
    private readonly FakeKv _kv = new();
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(_kv.Register);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task PutThenGet_RealEtcdctl_ReadsTheValueBack()
    {
        var put = await Etcdctl.RunAsync(_server.Endpoint, "put", "greeting", "hello");
        Assert.True(put.ExitCode == 0, put.ToString());
        Assert.Equal("OK", put.Stdout.Trim());

        var get = await Etcdctl.RunAsync(_server.Endpoint, "get", "greeting");
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal("greeting\nhello", get.Stdout.Trim());
    }

    [Fact]
    public async Task GetPrefixJson_RealEtcdctl_PrintsHeaderAndBase64Kvs()
    {
        foreach (var (k, v) in new[] { ("app/a", "1"), ("app/b", "2"), ("other", "3") })
        {
            var put = await Etcdctl.RunAsync(_server.Endpoint, "put", k, v);
            Assert.True(put.ExitCode == 0, put.ToString());
        }

        var get = await Etcdctl.RunAsync(_server.Endpoint, "get", "app/", "--prefix", "-w", "json");
        Assert.True(get.ExitCode == 0, get.ToString());
        using var json = JsonDocument.Parse(get.Stdout);
        var root = json.RootElement;
        Assert.Equal(FakeKv.ClusterId, root.GetProperty("header").GetProperty("cluster_id").GetUInt64());
        Assert.Equal(2, root.GetProperty("count").GetInt64());
        var keys = root.GetProperty("kvs").EnumerateArray().Select(kv => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(kv.GetProperty("key").GetString()!))).ToArray();
        Assert.Equal(["app/a", "app/b"], keys);
    }

    [Fact]
    public async Task Watch_RealEtcdctl_PrintsTheEventOfALaterPut()
    {
        using var watch = Etcdctl.Start(_server.Endpoint, ["watch", "watched"]);

        // The watch is registered when the server has a watcher; then a put must reach it.
        await Poll.UntilAsync(
            async () =>
            {
                var put = await Etcdctl.RunAsync(_server.Endpoint, "put", "watched", "v1");
                return put.ExitCode == 0 && watch.Stdout.Contains("PUT\nwatched\nv1", StringComparison.Ordinal);
            },
            TimeSpan.FromSeconds(20),
            "etcdctl watch to print the event",
            TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Watch_RealEtcdctlIdleWithKeepalivePings_StreamSurvivesAndGetsTheEvent()
    {
        // etcdctl pings every 2 s; Kestrel's default minimum body data rate would reset a quiet stream after ~5 s.
        using var watch = Etcdctl.Start(_server.Endpoint, ["--keepalive-time=2s", "watch", "quiet"]);
        await Poll.UntilAsync(() => _kv.WatcherCount > 0, TimeSpan.FromSeconds(20), "the watch to be registered");

        // An idle interval on purpose, not a wait for a condition: the stream must outlive several pings.
        await Task.Delay(TimeSpan.FromSeconds(7));
        Assert.False(watch.HasExited, watch.Stderr);

        var put = await Etcdctl.RunAsync(_server.Endpoint, "put", "quiet", "finally");
        Assert.True(put.ExitCode == 0, put.ToString());
        await watch.WaitForOutputAsync("PUT\nquiet\nfinally", TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task EndpointHealth_RealEtcdctl_ReportsHealthy()
    {
        var health = await Etcdctl.RunAsync(_server.Endpoint, "endpoint", "health");
        Assert.True(health.ExitCode == 0, health.ToString());
        Assert.Contains($"{_server.Endpoint} is healthy", health.Stdout + health.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MemberListAndStatus_RealEtcdctl_ShowTheMember()
    {
        var members = await Etcdctl.RunAsync(_server.Endpoint, "member", "list");
        Assert.True(members.ExitCode == 0, members.ToString());
        Assert.Contains("kvasir-test", members.Stdout, StringComparison.Ordinal);

        var status = await Etcdctl.RunAsync(_server.Endpoint, "endpoint", "status");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("3.4.23", status.Stdout, StringComparison.Ordinal);
    }

    // etcdctl dials the one endpoint of `endpoint status` as passthrough:///<endpoint>, so written with
    // its scheme the whole URL is the HTTP/2 :authority, which Kestrel alone would refuse.
    [Fact]
    public async Task EndpointStatus_EndpointWrittenWithScheme_AuthorityRewrittenAndServed()
    {
        var status = await Etcdctl.RunAsync(_server.Url(), "endpoint", "status", "-w", "table");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains(_server.Url(), status.Stdout, StringComparison.Ordinal);
        Assert.Contains("3.4.23", status.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandlerError_RealEtcdctl_PrintsEtcdsExactText()
    {
        var get = await Etcdctl.RunAsync(_server.Endpoint, "get", "anything", "--rev=1");
        Assert.NotEqual(0, get.ExitCode);
        Assert.Contains("Error: " + EtcdErrors.Compacted.Message, get.Stderr, StringComparison.Ordinal);
    }
}
