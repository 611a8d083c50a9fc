using System.Diagnostics.Metrics;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Config;
using Kvasir.Server.Member;
using Kvasir.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvasir.Server.Tests.Support;

/// <summary>
/// A member run inside the test process on a temp data directory (kept across <see cref="RestartAsync"/>),
/// configured from kvasir's own flags, optionally on a <see cref="ManualTimeProvider"/>.
/// </summary>
internal sealed class InProcessMember : IAsyncDisposable
{
    private readonly TempDir? _dir;
    private readonly string _dataDir;
    private readonly string[] _flags;
    private readonly TimeProvider _time;
    private readonly MemberComponents? _components;
    private Meter _meter;

    private InProcessMember(TempDir? dir, string dataDir, string[] flags, TimeProvider time, MemberComponents? components = null)
    {
        _components = components;
        _dir = dir;
        _dataDir = dataDir;
        _flags = flags;
        _time = time;
        _meter = new Meter("Kvasir.Test");
        Server = Open();
    }

    public MemberServer Server { get; private set; }

    public string DataDir => _dataDir;

    public MemberConfig Config => Load(_dataDir, _flags);

    /// <summary>Opens and starts a member, and waits (bounded) until it leads.</summary>
    public static async Task<InProcessMember> StartAsync(TimeProvider? time = null, params string[] flags)
    {
        var dir = new TempDir("member");
        var member = new InProcessMember(dir, dir.Sub("data"), flags, time ?? TimeProvider.System);
        member.Server.Start();
        await member.WaitLeaderAsync();
        return member;
    }

    /// <summary>Opens and starts a member with the lessor or watch hub <paramref name="components"/> make.</summary>
    public static async Task<InProcessMember> StartWithAsync(MemberComponents components, TimeProvider? time = null, params string[] flags)
    {
        var dir = new TempDir("member");
        var member = new InProcessMember(dir, dir.Sub("data"), flags, time ?? TimeProvider.System, components);
        member.Server.Start();
        await member.WaitLeaderAsync();
        return member;
    }

    /// <summary>Opens and starts a member on <paramref name="dataDir"/>, which the caller owns.</summary>
    public static async Task<InProcessMember> StartOnAsync(string dataDir, params string[] flags)
    {
        var member = new InProcessMember(null, dataDir, flags, TimeProvider.System);
        member.Server.Start();
        await member.WaitLeaderAsync();
        return member;
    }

    /// <summary>Stops the member gracefully and starts it again on the same data.</summary>
    public async Task RestartAsync()
    {
        await Server.StopAsync(CancellationToken.None);
        _meter.Dispose();
        _meter = new Meter("Kvasir.Test");
        Server = Open();
        Server.Start();
        await WaitLeaderAsync();
    }

    /// <summary>
    /// Waits until the member leads, has applied what it opened with (as the host waits before
    /// serving) and has committed its term's first entry (a linearizable read passes), so that a
    /// test's "before" figures are not moved by the election's own entry.
    /// </summary>
    public async Task WaitLeaderAsync()
    {
        await Server.WaitReadyAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await Poll.UntilAsync(() => Server.IsLeader, TimeSpan.FromSeconds(20), "the member to lead");
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Server.WaitLinearizableAsync(bound.Token);
    }

    public async Task<PutResponse> PutAsync(string key, string value)
    {
        if (Server.Failed.IsCompleted)
        {
            throw new InvalidOperationException("the member failed", await Server.Failed);
        }

        var result = await Server.ProposeAsync(new InternalRaftRequest { Put = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value) } }, CancellationToken.None);
        Assert.Null(result.Error);
        return (PutResponse)result.Response!;
    }

    public async ValueTask DisposeAsync()
    {
        var failed = Server.Failed.IsCompleted ? await Server.Failed : null;
        await Server.StopAsync(CancellationToken.None);
        _meter.Dispose();
        _dir?.Dispose();
        Assert.Null(failed);
    }

    private static MemberConfig Load(string dataDir, string[] flags)
    {
        var args = new List<string> { "--data-dir", dataDir };
        args.AddRange(flags);
        return ConfigLoader.Load(args, new Dictionary<string, string>()).Config!;
    }

    // KVASIR_TEST_LOG=1 shows the member's log on the console.
    private static ILoggerFactory Loggers() =>
        Environment.GetEnvironmentVariable("KVASIR_TEST_LOG") == "1" ? LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Debug)) : NullLoggerFactory.Instance;

    private MemberServer Open() => MemberServer.Open(Load(_dataDir, _flags), _components, Loggers(), _meter, _time);
}
