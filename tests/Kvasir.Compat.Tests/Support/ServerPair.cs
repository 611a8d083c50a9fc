using Kvasir.Testing;

namespace Kvasir.Compat.Tests.Support;

/// <summary>
/// A real kvasir member and a real etcd 3.4.23, started side by side with fresh data. Tests send
/// both the same commands in the same order, so their revisions stay aligned, and compare what
/// etcdctl prints. Shared by the tests of one class (they run one after another).
/// </summary>
public class ServerPair : IAsyncLifetime
{
    public KvasirProcess Kvasir { get; private set; } = null!;

    public EtcdServer Etcd { get; private set; } = null!;

    /// <summary>Flags both servers start with beyond the defaults (the same meaning for each).</summary>
    protected virtual string[] KvasirArgs => [];

    /// <inheritdoc cref="KvasirArgs"/>
    protected virtual string[] EtcdArgs => [];

    /// <summary>Both servers as (name, etcdctl endpoint, client URL), kvasir first.</summary>
    public (string Name, string Endpoint, string ClientUrl)[] Both =>
        [("kvasir", Kvasir.Endpoint, Kvasir.ClientUrl), ("etcd", Etcd.Endpoint, Etcd.ClientUrl)];

    public async Task InitializeAsync()
    {
        Assert.True(EtcdServer.IsInstalled && Etcdctl.IsInstalled, "etcd and etcdctl 3.4.23 are not installed: run scripts/test.sh, which installs them");
        var kvasir = KvasirProcess.StartAsync(KvasirArgs);
        var etcd = EtcdServer.StartAsync(EtcdArgs);
        try
        {
            await Task.WhenAll(kvasir, etcd);
        }
        catch
        {
            if (kvasir.IsCompletedSuccessfully)
            {
                await kvasir.Result.DisposeAsync();
            }

            if (etcd.IsCompletedSuccessfully)
            {
                await etcd.Result.DisposeAsync();
            }

            throw;
        }

        Kvasir = await kvasir;
        Etcd = await etcd;
    }

    public async Task DisposeAsync()
    {
        await Kvasir.DisposeAsync();
        await Etcd.DisposeAsync();
    }

    /// <summary>Runs the same etcdctl command against both (kvasir first, then etcd).</summary>
    public async Task<(ProcessResult Kvasir, ProcessResult Etcd)> RunBothAsync(string[] args, string? stdin = null, TimeSpan? timeout = null)
    {
        var k = await Etcdctl.RunAsync(Kvasir.Endpoint, args, stdin, timeout);
        var e = await Etcdctl.RunAsync(Etcd.Endpoint, args, stdin, timeout);
        return (k, e);
    }

    /// <summary>Runs the command against both and asserts equal exit codes and equal normalized output; returns kvasir's result.</summary>
    public async Task<ProcessResult> AssertSameAsync(params string[] args) => await AssertSameAsync(args, null);

    public async Task<ProcessResult> AssertSameAsync(string[] args, string? stdin, Func<string, string>? mask = null)
    {
        var (k, e) = await RunBothAsync(args, stdin);
        Assert.False(k.TimedOut, $"etcdctl {string.Join(' ', args)} timed out against kvasir: {k}");
        Assert.False(e.TimedOut, $"etcdctl {string.Join(' ', args)} timed out against etcd: {e}");
        mask ??= static s => s;
        var expected = $"exit {e.ExitCode}\n{mask(EtcdctlOutput.Normalize(e.Stdout))}\n--- stderr\n{mask(EtcdctlOutput.Normalize(e.Stderr))}";
        var actual = $"exit {k.ExitCode}\n{mask(EtcdctlOutput.Normalize(k.Stdout))}\n--- stderr\n{mask(EtcdctlOutput.Normalize(k.Stderr))}";
        Assert.True(expected == actual, $"etcdctl {string.Join(' ', args)}\n=== etcd:\n{expected}\n=== kvasir:\n{actual}");
        return k;
    }
}
