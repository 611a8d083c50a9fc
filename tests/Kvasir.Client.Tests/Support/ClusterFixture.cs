using Kvasir.Testing;

namespace Kvasir.Client.Tests.Support;

/// <summary>
/// A three-member cluster of real processes on free loopback ports, started on first use, with short
/// Raft timeouts (heartbeat 50 ms, election 500 ms) so that losing members shows quickly. etcd and
/// kvasir take the same flags. Members are killed by pid; all are stopped when the class is done.
/// </summary>
public abstract class ClusterFixture : IAsyncLifetime
{
    private const int Size = 3;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<ChildProcess> _members = [];
    private readonly List<TempDir> _dirs = [];
    private int[] _clientPorts = [];

    protected ClusterFixture(ServerKind kind)
    {
        Kind = kind;
    }

    public ServerKind Kind { get; }

    /// <summary>The members' endpoints, <c>127.0.0.1:port</c>, in member order.</summary>
    public IReadOnlyList<string> Endpoints => [.. _clientPorts.Select(p => $"127.0.0.1:{p}")];

    public async Task StartAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_members.Count == 0)
            {
                await LaunchAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>SIGKILLs member <paramref name="index"/> and waits (bounded) for it to be gone.</summary>
    public async Task KillAsync(int index)
    {
        _members[index].Kill();
        Assert.True(await _members[index].WaitForExitAsync(TimeSpan.FromSeconds(10)), $"member {index} did not exit after SIGKILL");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        foreach (var member in _members)
        {
            member.Dispose();
        }

        foreach (var dir in _dirs)
        {
            dir.Dispose();
        }

        return Task.CompletedTask;
    }

    /// <summary>The command line of a member: the executable and the arguments before etcd's flags.</summary>
    protected abstract (string File, string[] Prefix) Command();

    private async Task LaunchAsync()
    {
        _clientPorts = [.. Enumerable.Range(0, Size).Select(_ => FreePort.Next())];
        var peerPorts = Enumerable.Range(0, Size).Select(_ => FreePort.Next()).ToArray();
        var initial = string.Join(",", Enumerable.Range(0, Size).Select(i => $"m{i}=http://127.0.0.1:{peerPorts[i]}"));
        var (file, prefix) = Command();
        for (var i = 0; i < Size; i++)
        {
            var dir = new TempDir("client-cluster");
            _dirs.Add(dir);
            _members.Add(ChildProcess.Start(file, [.. prefix,
                "--name", $"m{i}",
                "--data-dir", dir.Sub("data"),
                "--listen-client-urls", $"http://127.0.0.1:{_clientPorts[i]}",
                "--advertise-client-urls", $"http://127.0.0.1:{_clientPorts[i]}",
                "--listen-peer-urls", $"http://127.0.0.1:{peerPorts[i]}",
                "--initial-advertise-peer-urls", $"http://127.0.0.1:{peerPorts[i]}",
                "--initial-cluster", initial,
                "--initial-cluster-token", "client-test-cluster",
                "--initial-cluster-state", "new",
                "--heartbeat-interval", "50",
                "--election-timeout", "500"]));
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < Size; i++)
        {
            var member = _members[i];
            var url = $"http://127.0.0.1:{_clientPorts[i]}/health";
            await Poll.UntilAsync(
                async () =>
                {
                    if (member.HasExited)
                    {
                        throw new InvalidOperationException($"member exited with {member.ExitCode}: {member.Stderr}");
                    }

                    using var response = await http.GetAsync(url);
                    return response.IsSuccessStatusCode;
                },
                TimeSpan.FromSeconds(30),
                $"cluster member {i} to become healthy");
        }
    }
}
