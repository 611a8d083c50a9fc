namespace Kvasir.Client.Tests.Support;

/// <summary>
/// One server for a contract class, started on first use (a skipped class starts nothing), with a
/// shared client. Stopped, by pid, when the class is done.
/// </summary>
public abstract class ServerFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IAsyncDisposable? _server;
    private EtcdClient? _client;

    protected ServerFixture(ServerKind kind)
    {
        Kind = kind;
    }

    public ServerKind Kind { get; }

    /// <summary>The endpoint as etcdctl takes it, <c>127.0.0.1:port</c>; valid after <see cref="StartAsync"/>.</summary>
    public string Endpoint { get; private set; } = "";

    public int Port { get; private set; }

    public int Pid { get; private set; }

    /// <summary>Starts the server if it is not running yet, and returns the client shared by the class's tests.</summary>
    public async Task<EtcdClient> StartAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_client is null)
            {
                (_server, Port, Pid) = await LaunchAsync();
                Endpoint = $"127.0.0.1:{Port}";
                _client = NewClient();
            }

            return _client;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A new client of this server (the caller disposes it).</summary>
    public EtcdClient NewClient(Func<EtcdClientOptions, EtcdClientOptions>? configure = null)
    {
        var options = new EtcdClientOptions { Endpoints = [Endpoint], DialTimeout = TimeSpan.FromSeconds(5), CommandTimeout = TimeSpan.FromSeconds(20) };
        return new EtcdClient(configure is null ? options : configure(options));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    protected abstract Task<(IAsyncDisposable Server, int Port, int Pid)> LaunchAsync();
}
