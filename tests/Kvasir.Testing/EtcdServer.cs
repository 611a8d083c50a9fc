namespace Kvasir.Testing;

/// <summary>
/// A real etcd 3.4.23 (Debian's etcd-server package) on free loopback ports, one member, in its
/// own temp data directory. It is the reference Kvasir is compared with.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/etcd";

    private readonly ChildProcess _process;
    private readonly TempDir _dir;

    private EtcdServer(ChildProcess process, TempDir dir, int clientPort, int peerPort)
    {
        _process = process;
        _dir = dir;
        ClientPort = clientPort;
        PeerPort = peerPort;
    }

    public int ClientPort { get; }

    public int PeerPort { get; }

    public int Pid => _process.Pid;

    /// <summary>The client URL, <c>http://127.0.0.1:port</c>.</summary>
    public string ClientUrl => $"http://127.0.0.1:{ClientPort}";

    /// <summary>The endpoint as etcdctl takes it, <c>127.0.0.1:port</c>.</summary>
    public string Endpoint => $"127.0.0.1:{ClientPort}";

    public string Output => _process.Stderr + _process.Stdout;

    public static bool IsInstalled => File.Exists(Binary);

    /// <summary>Starts etcd and waits (bounded) until /health answers 200.</summary>
    public static async Task<EtcdServer> StartAsync(IEnumerable<string>? extraArgs = null)
    {
        if (!IsInstalled)
        {
            throw new InvalidOperationException($"{Binary} is missing: run the README's test command, which installs Debian's etcd-server");
        }

        var dir = new TempDir("etcd");
        var client = FreePort.Next();
        var peer = FreePort.Next();
        var args = new List<string>
        {
            "--name", "etcd-test",
            "--data-dir", dir.Sub("data"),
            "--listen-client-urls", $"http://127.0.0.1:{client}",
            "--advertise-client-urls", $"http://127.0.0.1:{client}",
            "--listen-peer-urls", $"http://127.0.0.1:{peer}",
            "--initial-advertise-peer-urls", $"http://127.0.0.1:{peer}",
            "--initial-cluster", $"etcd-test=http://127.0.0.1:{peer}",
            "--initial-cluster-token", "etcd-test-cluster",
        };
        if (extraArgs is not null)
        {
            args.AddRange(extraArgs);
        }

        var process = ChildProcess.Start(Binary, args);
        var server = new EtcdServer(process, dir, client, peer);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            await Poll.UntilAsync(
                async () =>
                {
                    if (process.HasExited)
                    {
                        throw new InvalidOperationException($"etcd exited with {process.ExitCode}: {server.Output}");
                    }

                    using var response = await http.GetAsync($"{server.ClientUrl}/health").ConfigureAwait(false);
                    return response.IsSuccessStatusCode;
                },
                TimeSpan.FromSeconds(30),
                "etcd to become healthy").ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return server;
    }

    public void Kill() => _process.Kill();

    public ValueTask DisposeAsync()
    {
        _process.Dispose();
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }
}
