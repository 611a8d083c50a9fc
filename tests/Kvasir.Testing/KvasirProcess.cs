namespace Kvasir.Testing;

/// <summary>
/// A real <c>kvasir</c> member in its own process, on free loopback ports, with its data in a temp
/// directory (kept across <see cref="RestartAsync"/>, deleted on dispose). Tests that use it
/// reference Kvasir.Server, so that kvasir.dll is built and copied beside them.
/// </summary>
public sealed class KvasirProcess : IAsyncDisposable
{
    private readonly TempDir _dir;
    private readonly List<string> _extraArgs;
    private ChildProcess _process;

    private KvasirProcess(TempDir dir, int clientPort, int peerPort, List<string> extraArgs, ChildProcess process)
    {
        _dir = dir;
        ClientPort = clientPort;
        PeerPort = peerPort;
        _extraArgs = extraArgs;
        _process = process;
    }

    public int ClientPort { get; }

    public int PeerPort { get; }

    public int Pid => _process.Pid;

    public ChildProcess Process => _process;

    public string DataDir => _dir.Sub("data");

    /// <summary>The client URL, <c>http://127.0.0.1:port</c>.</summary>
    public string ClientUrl => $"http://127.0.0.1:{ClientPort}";

    /// <summary>The endpoint as etcdctl takes it, <c>127.0.0.1:port</c>.</summary>
    public string Endpoint => $"127.0.0.1:{ClientPort}";

    public string Output => _process.Stderr + _process.Stdout;

    /// <summary>The path of the built <c>kvasir.dll</c>.</summary>
    public static string Dll => RepoPaths.Output("Kvasir.Server", "kvasir.dll");

    /// <summary>Starts a member and waits (bounded) until /health answers.</summary>
    public static async Task<KvasirProcess> StartAsync(IEnumerable<string>? extraArgs = null, TimeSpan? bound = null)
    {
        var dir = new TempDir("kvasir");
        var client = FreePort.Next();
        var peer = FreePort.Next();
        var extra = extraArgs?.ToList() ?? [];
        var member = new KvasirProcess(dir, client, peer, extra, Launch(dir, client, peer, extra));
        try
        {
            await member.WaitHealthyAsync(bound ?? TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch
        {
            await member.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return member;
    }

    /// <summary>Runs <c>kvasir</c> with exactly <paramref name="args"/> to its end (for flag tests).</summary>
    public static Task<ProcessResult> RunAsync(IEnumerable<string> args, TimeSpan timeout, IDictionary<string, string>? env = null) =>
        ChildProcess.RunAsync("dotnet", new[] { Dll }.Concat(args), timeout, env: env);

    /// <summary>Kills the member (SIGKILL) if it runs, then starts it again on the same ports and data.</summary>
    public async Task RestartAsync(TimeSpan? bound = null)
    {
        _process.Kill();
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _process.Dispose();
        _process = Launch(_dir, ClientPort, PeerPort, _extraArgs);
        await WaitHealthyAsync(bound ?? TimeSpan.FromSeconds(30)).ConfigureAwait(false);
    }

    public void Kill() => _process.Kill();

    public void Terminate() => _process.Terminate();

    public void Pause() => _process.Pause();

    public void Resume() => _process.Resume();

    public async Task WaitHealthyAsync(TimeSpan bound)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Poll.UntilAsync(
            async () =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"kvasir exited with {_process.ExitCode}: {Output}");
                }

                using var response = await http.GetAsync($"{ClientUrl}/health").ConfigureAwait(false);
                return response.IsSuccessStatusCode;
            },
            bound,
            "kvasir to become healthy").ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        _process.Dispose();
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }

    private static ChildProcess Launch(TempDir dir, int client, int peer, List<string> extra)
    {
        var args = new List<string>
        {
            Dll,
            "--name", "kvasir-test",
            "--data-dir", dir.Sub("data"),
            "--listen-client-urls", $"http://127.0.0.1:{client}",
            "--advertise-client-urls", $"http://127.0.0.1:{client}",
            "--listen-peer-urls", $"http://127.0.0.1:{peer}",
            "--initial-advertise-peer-urls", $"http://127.0.0.1:{peer}",
            "--initial-cluster", $"kvasir-test=http://127.0.0.1:{peer}",
        };
        args.AddRange(extra);
        return ChildProcess.Start("dotnet", args);
    }
}
