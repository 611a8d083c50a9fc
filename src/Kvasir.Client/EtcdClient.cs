using Kvasir.Client.Internal;

namespace Kvasir.Client;

/// <summary>
/// A client of an etcd v3 cluster (etcd itself or Kvasir), shaped like etcd's Go clientv3: the
/// services as properties (<see cref="KV"/>, <see cref="Watch"/>, <see cref="Lease"/>,
/// <see cref="Cluster"/>, <see cref="Maintenance"/>, <see cref="Auth"/>), every call async with a
/// CancellationToken, failures as <see cref="EtcdException"/>. One client is meant to serve a whole
/// process: it is thread-safe, multiplexes calls over its HTTP/2 connections, shares one watch stream
/// and one keep-alive stream among all watches and leases, and fails over to the next endpoint when
/// the current one cannot be reached.
/// </summary>
public sealed class EtcdClient : IDisposable, IAsyncDisposable
{
    private readonly ClientCore _core;
    private readonly bool _ownsCore;
    private readonly CallInvoker _invoker;
    private readonly Lazy<WatchClient> _watch;
    private readonly Lazy<LeaseClient> _lease;
    private readonly Lazy<EtcdClient> _requireLeaderView;

    /// <summary>Builds a client; nothing is dialled until the first call (see <see cref="ConnectAsync"/> to check at once).
    /// Throws <see cref="ArgumentException"/> for options that cannot work.</summary>
    public EtcdClient(EtcdClientOptions options)
        : this(new ClientCore(options), ownsCore: true, options?.RequireLeader ?? false)
    {
    }

    private EtcdClient(ClientCore core, bool ownsCore, bool requireLeader)
    {
        _core = core;
        _ownsCore = ownsCore;
        _invoker = new CallInvoker(core, requireLeader);
        KV = new KvClient(_invoker);
        Cluster = new ClusterClient(_invoker);
        Maintenance = new MaintenanceClient(_invoker);
        Auth = new AuthClient(_invoker);
        _watch = new Lazy<WatchClient>(() => new WatchClient(_invoker), LazyThreadSafetyMode.ExecutionAndPublication);
        _lease = new Lazy<LeaseClient>(() => new LeaseClient(_invoker), LazyThreadSafetyMode.ExecutionAndPublication);
        _requireLeaderView = new Lazy<EtcdClient>(() => requireLeader ? this : new EtcdClient(core, ownsCore: false, requireLeader: true), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>A client of <paramref name="endpoints"/> with default options.</summary>
    public static EtcdClient Create(params string[] endpoints) => new(new EtcdClientOptions { Endpoints = endpoints });

    /// <summary>
    /// Builds a client and checks that an endpoint answers (and, with credentials, that they are accepted)
    /// within <see cref="EtcdClientOptions.DialTimeout"/> per endpoint, as etcd's clients do when dialling.
    /// </summary>
    public static async Task<EtcdClient> ConnectAsync(EtcdClientOptions options, CancellationToken cancellationToken = default)
    {
        var client = new EtcdClient(options);
        try
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(options.DialTimeout * options.Endpoints.Count + TimeSpan.FromSeconds(1));
            await client._core.EnsureTokenAsync(bound.Token).ConfigureAwait(false);
            await client.Maintenance.StatusAsync(bound.Token).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public KvClient KV { get; }

    public WatchClient Watch => _watch.Value;

    public LeaseClient Lease => _lease.Value;

    public ClusterClient Cluster { get; }

    public MaintenanceClient Maintenance { get; }

    public AuthClient Auth { get; }

    /// <summary>The options the client was built with.</summary>
    public EtcdClientOptions Options => _core.Options;

    /// <summary>The endpoints, in the order given.</summary>
    public IReadOnlyList<string> Endpoints => _core.Options.Endpoints;

    /// <summary>The endpoint calls go to now (it moves on when one cannot be reached).</summary>
    public string CurrentEndpoint => _core.Channel.CurrentEndpoint.ToString();

    /// <summary>What the views of this client share (tests look at the token).</summary>
    internal ClientCore Core => _core;

    /// <summary>True when this view sends <c>hasleader=true</c>.</summary>
    public bool RequiresLeader => _invoker.RequireLeader;

    /// <summary>
    /// The view of this client that sends <c>hasleader=true</c> with its calls and streams, so that the server
    /// fails them with <c>etcdserver: no leader</c> instead of waiting while the cluster has none (etcd's
    /// <c>WithRequireLeader</c>). It shares connections and credentials; its watches and keep-alives use
    /// their own streams. There is one such view per client (every call returns it); it lives, and stops,
    /// with this client: disposing the view itself does nothing.
    /// </summary>
    public EtcdClient WithRequireLeader() => _requireLeaderView.Value;

    /// <summary>Stops every watch and keep-alive of the client (and of its views) and closes the connections. Does nothing on a view.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_ownsCore)
        {
            await _core.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Closes the connections; watches and keep-alives wind down in the background. Prefer <see cref="DisposeAsync"/>. Does nothing on a view.</summary>
    public void Dispose()
    {
        if (_ownsCore)
        {
            _core.Dispose();
        }
    }
}
