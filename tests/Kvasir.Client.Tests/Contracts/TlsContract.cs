using Kvasir.Client.Tests.Support;

namespace Kvasir.Client.Tests.Contracts;

/// <summary>The client over TLS: a CA to trust the server by, a client certificate to be let in by; each missing piece refused with a clear error.</summary>
public abstract class TlsContract(TlsServerFixture server)
{
    protected TlsServerFixture Server { get; } = server;

    [ServerFact]
    public async Task ClientCertificateAndCa_CallsAndWatchesWork()
    {
        await Server.StartAsync();
        await using var client = await EtcdClient.ConnectAsync(Server.Options(Server.Certificates.Client, Server.Certificates.Ca));
        var key = Keys.Unique("tls") + "k";
        await using var watch = await WatchReader.CreatedAsync(client.Watch, key, new WatchOptions());
        await client.KV.PutAsync(key, "over-tls");
        Assert.Equal("over-tls", (await client.KV.GetAsync(key)).Kvs[0].Value.ToStringUtf8());
        Assert.Equal("over-tls", Assert.Single(await watch.EventsAsync(1)).Kv.Value.ToStringUtf8());
    }

    [ServerFact]
    public async Task NoClientCertificate_Refused()
    {
        await Server.StartAsync();
        await using var client = new EtcdClient(Server.Options(clientCertificate: null, Server.Certificates.Ca));
        var e = await Assert.ThrowsAsync<EtcdException>(() => client.KV.GetAsync("k"));
        Assert.True(e.StatusCode is Grpc.StatusCode.Unavailable or Grpc.StatusCode.Internal or Grpc.StatusCode.Unknown, e.ToString());
    }

    [ServerFact]
    public async Task ClientCertificateFromAnotherCa_Refused()
    {
        await Server.StartAsync();
        await using var client = new EtcdClient(Server.Options(Server.Certificates.Stranger, Server.Certificates.Ca));
        var e = await Assert.ThrowsAsync<EtcdException>(() => client.KV.GetAsync("k"));
        Assert.True(e.StatusCode is Grpc.StatusCode.Unavailable or Grpc.StatusCode.Internal or Grpc.StatusCode.Unknown, e.ToString());
    }

    [ServerFact]
    public async Task ServerNotTrusted_Refused()
    {
        await Server.StartAsync();
        await using var client = new EtcdClient(Server.Options(Server.Certificates.Client, ca: null));
        var e = await Assert.ThrowsAsync<EtcdException>(() => client.KV.GetAsync("k"));
        Assert.Equal(Grpc.StatusCode.Unavailable, e.StatusCode);
    }
}
