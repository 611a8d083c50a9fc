using System.Security.Cryptography.X509Certificates;
using Kvasir.Testing;

namespace Kvasir.Client.Tests.Support;

/// <summary>
/// A server serving clients over TLS only and requiring client certificates signed by the test CA
/// (<c>--cert-file --key-file --trusted-ca-file --client-cert-auth</c>, the same flags for etcd and
/// kvasir). Started on first use; ready once a client with the right certificate gets a status.
/// </summary>
public abstract class TlsServerFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ChildProcess? _process;
    private TempDir? _dir;

    protected TlsServerFixture(ServerKind kind)
    {
        Kind = kind;
    }

    public ServerKind Kind { get; }

    public TestCertificates Certificates { get; } = TestCertificates.Create("root");

    /// <summary><c>https://127.0.0.1:port</c>.</summary>
    public string Endpoint { get; private set; } = "";

    public async Task StartAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_process is null)
            {
                await LaunchAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Client options for this server, with the given certificates (null = none).</summary>
    public EtcdClientOptions Options(X509Certificate2? clientCertificate, X509Certificate2? ca) => new()
    {
        Endpoints = [Endpoint],
        DialTimeout = TimeSpan.FromSeconds(3),
        CommandTimeout = TimeSpan.FromSeconds(10),
        ClientCertificates = clientCertificate is null ? null : [clientCertificate],
        TrustedCertificateAuthorities = ca is null ? null : [ca],
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _process?.Dispose();
        _dir?.Dispose();
        Certificates.Dispose();
        return Task.CompletedTask;
    }

    protected abstract (string File, string[] Prefix) Command();

    private async Task LaunchAsync()
    {
        _dir = new TempDir("client-tls");
        var (ca, cert, key) = Certificates.WriteServerFiles(_dir.Path);
        var client = FreePort.Next();
        var peer = FreePort.Next();
        Endpoint = $"https://127.0.0.1:{client}";
        var (file, prefix) = Command();
        _process = ChildProcess.Start(file, [.. prefix,
            "--name", "tls",
            "--data-dir", _dir.Sub("data"),
            "--listen-client-urls", Endpoint,
            "--advertise-client-urls", Endpoint,
            "--listen-peer-urls", $"http://127.0.0.1:{peer}",
            "--initial-advertise-peer-urls", $"http://127.0.0.1:{peer}",
            "--initial-cluster", $"tls=http://127.0.0.1:{peer}",
            "--cert-file", cert,
            "--key-file", key,
            "--trusted-ca-file", ca,
            "--client-cert-auth"]);
        var process = _process;
        await Poll.UntilAsync(
            async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"the TLS server exited with {process.ExitCode}: {process.Stderr}");
                }

                await using var probe = new EtcdClient(Options(Certificates.Client, Certificates.Ca));
                await probe.Maintenance.StatusAsync();
                return true;
            },
            TimeSpan.FromSeconds(30),
            "the TLS server to answer");
    }
}
