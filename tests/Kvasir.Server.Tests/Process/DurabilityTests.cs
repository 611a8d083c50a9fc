using System.Collections.Concurrent;
using System.Globalization;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Server.Services;
using Kvasir.Server.Tests.Support;
using Kvasir.Testing;

namespace Kvasir.Server.Tests.Process;

/// <summary>
/// Many writers put unique keys while the test kills kvasir with SIGKILL at random moments (after a
/// seeded, random number of acknowledged writes) and restarts it. Afterwards every acknowledged
/// write is there with the revision it was acknowledged at, and the revisions of all keys are
/// exactly 2..current — none lost, none twice. A watcher of the same range runs throughout and,
/// after each crash, resumes from the revision after the last it was given: its events equal the
/// store's history exactly.
/// </summary>
public sealed class DurabilityTests
{
    private const int Rounds = 8;
    private const int Writers = 32;

    [Fact]
    public async Task Writes_SigkillAtRandomMoments_EveryAcknowledgedWriteSurvivesAndRevisionsAreContiguous()
    {
        var seed = int.Parse(Environment.GetEnvironmentVariable("KVASIR_DURABILITY_SEED") ?? "20261122", CultureInfo.InvariantCulture);
        var random = new Random(seed);
        var acked = new ConcurrentDictionary<string, long>();
        await using var member = await KvasirProcess.StartAsync();
        var watcher = new ResumingWatcher(member.Endpoint, "d/", "d0");
        using var stopWatching = new CancellationTokenSource();
        var watching = Task.Run(() => watcher.RunAsync(stopWatching.Token));
        try
        {
            for (var round = 0; round < Rounds; round++)
            {
                var target = acked.Count + random.Next(300, 3000);
                using var kv = new Kv(member.Endpoint);
                using var stop = new CancellationTokenSource();
                var writers = Enumerable.Range(0, Writers).Select(w => WriteAsync(kv, $"d/{round}/{w}/", acked, stop.Token)).ToArray();
                await Poll.UntilAsync(() => acked.Count >= target, TimeSpan.FromSeconds(60), $"{target} acknowledged writes in round {round}");
                member.Kill();
                await stop.CancelAsync();
                await Task.WhenAll(writers);
                await member.RestartAsync();
            }

            using var check = new Kv(member.Endpoint);
            var all = await check.CallAsync(EtcdMethods.Range, new RangeRequest { Key = Kv.B("d/"), RangeEnd = Kv.B("d0") });
            var found = all.Kvs.ToDictionary(k => k.Key.ToStringUtf8(), k => k.ModRevision);
            foreach (var (key, revision) in acked)
            {
                Assert.True(found.TryGetValue(key, out var got), $"acknowledged key {key} (revision {revision}) is missing; seed {seed}");
                Assert.Equal(revision, got);
            }

            var revisions = found.Values.Order().ToArray();
            Assert.Equal(Enumerable.Range(2, revisions.Length).Select(i => (long)i), revisions);
            Assert.Equal(revisions[^1], all.Header.Revision);

            // The watcher, resumed after every crash, was given the history exactly: each write once, in revision order.
            await Poll.UntilAsync(() => watcher.LastRevision >= all.Header.Revision, TimeSpan.FromSeconds(30), $"the watcher to reach revision {all.Header.Revision}");
            await stopWatching.CancelAsync();
            await watching;
            Assert.Empty(watcher.Violations());
            var history = found.OrderBy(p => p.Value).Select(p => (p.Key, p.Value)).ToList();
            Assert.Equal(history, watcher.Events());
            Assert.True(watcher.Streams > Rounds, $"the watcher opened {watcher.Streams} streams over {Rounds} crashes");
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"seed {seed}; replay: KVASIR_DURABILITY_SEED={seed} dotnet test tests/Kvasir.Server.Tests -c Release --filter \"FullyQualifiedName~DurabilityTests\"\n{member.Output}", e);
        }
        finally
        {
            // The watcher stops before the member does, whatever the outcome.
            await stopWatching.CancelAsync();
            await watching;
        }
    }

    // Puts unique keys until the member dies or the round ends; records each acknowledged put's revision.
    private static async Task WriteAsync(Kv kv, string prefix, ConcurrentDictionary<string, long> acked, CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var key = prefix + i.ToString(CultureInfo.InvariantCulture);
            try
            {
                var response = await kv.PutAsync(key, key, stop);
                acked[key] = response.Header.Revision;
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException or HttpRequestException)
            {
                return;
            }
        }
    }
}
