using Google.Protobuf;
using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;
using Kvasir.Storage.CrashChild;
using Kvasir.Storage.Mvcc;
using Kvasir.Testing;

namespace Kvasir.Storage.Tests.Mvcc;

/// <summary>
/// Model-based: seeded random Put/Delete/Txn/Compact/Range sequences applied to the store and to
/// <see cref="ModelStore"/>, every response compared; at random points the store is reopened cleanly or
/// after a simulated crash (its open batch lost, the lost entries replayed after its consistent index),
/// and then every Range at every kept revision, the watch history and HashKV are compared too.
/// Replay one seed: KVASIR_MVCC_SEED=n dotnet test tests/Kvasir.Storage.Tests -c Release --filter MvccModelTests
/// </summary>
public sealed class MvccModelTests
{
    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        if (int.TryParse(Environment.GetEnvironmentVariable("KVASIR_MVCC_SEED"), out var one))
        {
            data.Add(one);
            return data;
        }

        for (var seed = 1; seed <= 8; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task RandomOperations_WithReopensAndCrashes_MatchModel(int seed)
    {
        try
        {
            await RunAsync(seed, operations: 700);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException(
                $"seed {seed} failed; replay: KVASIR_MVCC_SEED={seed} dotnet test tests/Kvasir.Storage.Tests -c Release --filter MvccModelTests\n{e}");
        }
    }

    private static async Task RunAsync(int seed, int operations)
    {
        using var dir = new TempDir("mvcc-model");
        var rng = new Random(seed * 7919);
        var options = new MvccOptions
        {
            Path = dir.Sub("mvcc.db"),
            BatchLimit = 1 + rng.Next(40),
            BatchInterval = TimeSpan.FromMilliseconds(2 + rng.Next(20)),
            CompactionBatchLimit = 1 + rng.Next(8),
            CompactionSleepInterval = TimeSpan.FromMilliseconds(rng.Next(2)),
        };
        var store = MvccStore.Open(options);
        try
        {
            var model = new ModelStore();
            var workload = new MvccCrashMode.Workload(seed);
            var log = new List<(long Index, IMessage Op)>();
            var physical = Task.CompletedTask;
            for (long i = 1; i <= operations; i++)
            {
                var op = MvccCrashMode.Workload.Resolve(workload.Next(), model.CurrentRev, model.CompactRev);
                var context = $"entry {i}: {op.GetType().Name} {op}";
                if (op is not RangeRequest)
                {
                    log.Add((i, op));
                }

                physical = ApplyAndCompare(store, model, op, i, context) ?? physical;
                var roll = rng.Next(100);
                if (roll < 2)
                {
                    store.Dispose();
                    store = MvccStore.Open(options);
                    physical = store.WhenCompacted();
                    await CheckAllAsync(store, model, physical, context + " after reopen");
                }
                else if (roll < 4)
                {
                    store.Abandon();
                    store = MvccStore.Open(options);
                    var ci = store.ConsistentIndex;
                    Assert.True(ci <= i, $"{context}: consistent index {ci} is ahead of the last entry");
                    foreach (var (index, entry) in log)
                    {
                        if (index > ci)
                        {
                            MvccCrashMode.Apply(store, entry, index);
                        }
                    }

                    physical = store.WhenCompacted();
                    await CheckAllAsync(store, model, physical, context + $" after a crash at consistent index {ci}");
                }
                else if (roll < 6)
                {
                    await CheckAllAsync(store, model, physical, context);
                }
            }

            await CheckAllAsync(store, model, physical, "at the end");
        }
        finally
        {
            store.Dispose();
        }
    }

    /// <summary>Applies one request to both; returns the compaction's physical task when it was a compaction.</summary>
    private static Task? ApplyAndCompare(MvccStore store, ModelStore model, IMessage op, long index, string context)
    {
        var before = model.CurrentRev;
        Assert.Equal(before, store.CurrentRevision);
        switch (op)
        {
            case PutRequest p:
                var put = store.Put(p, index);
                Same(model.Put(p, out var putError), putError, put.Response, put.Error, context);
                SameEvents(model, before, put.Events, context);
                return null;
            case DeleteRangeRequest d:
                var del = store.DeleteRange(d, index);
                Same(model.Delete(d), null, del.Response, del.Error, context);
                SameEvents(model, before, del.Events, context);
                return null;
            case TxnRequest t:
                var txn = store.Txn(t, index);
                Same(model.Txn(t, out var txnError), txnError, txn.Response, txn.Error, context);
                SameEvents(model, before, txn.Events, context);
                if (MvccStore.IsReadOnly(t))
                {
                    var read = store.TxnRead(t);
                    Same(model.Txn(t, out var readError), readError, read.Response, read.Error, context + " (TxnRead)");
                }

                return null;
            case CompactionRequest c:
                var compact = store.Compact(c, index);
                Same(model.Compact(c.Revision, out var compactError), compactError, compact.Response, compact.Error, context);
                return compact.Physical;
            case RangeRequest r:
                var range = store.Range(r);
                Same(model.Range(r, out var rangeError), rangeError, range.Response, range.Error, context);
                return null;
            default:
                throw new InvalidOperationException($"unexpected workload entry {op}");
        }
    }

    private static void Same(IMessage? expected, EtcdError? expectedError, IMessage? actual, EtcdError? actualError, string context)
    {
        Assert.True(Equals(expectedError, actualError), $"{context}: expected error {expectedError?.ToString() ?? "none"}, got {actualError?.ToString() ?? "none"}");
        Assert.True(Equals(expected, actual), $"{context}:\nexpected {expected}\nactual   {actual}");
    }

    private static void SameEvents(ModelStore model, long before, IReadOnlyList<Event> actual, string context)
    {
        var expected = model.EventsAfter(before);
        Assert.True(expected.SequenceEqual(actual), $"{context}: events differ\nexpected {string.Join(", ", expected)}\nactual   {string.Join(", ", actual)}");
    }

    /// <summary>Every Range at every kept revision, the history above the compacted revision, and HashKV.</summary>
    private static async Task CheckAllAsync(MvccStore store, ModelStore model, Task physical, string context)
    {
        if (model.CurrentRev != store.CurrentRevision)
        {
            var tail = string.Join("\n", model.Rows.Where(r => r.Rev.Main > model.CurrentRev - 4).Select(r => $"{r.Rev} tomb={r.Tombstone} {r.Kv}"));
            var storeTail = store.ReadEvents(Math.Max(model.CompactRev, store.CurrentRevision - 3), long.MaxValue);
            Assert.Fail($"{context}: store revision {store.CurrentRevision}, model {model.CurrentRev}, compact {model.CompactRev}/{store.CompactRevision}\nmodel tail:\n{tail}\nstore tail: {(storeTail.Ok ? string.Join("\n", storeTail.Response!.Events) : storeTail.Error)}");
        }

        Assert.Equal(model.CompactRev, store.CompactRevision);
        var all = new RangeRequest { Key = ByteString.CopyFrom(0), RangeEnd = KeyRange.FromKeyEnd };
        for (var rev = Math.Max(1, model.CompactRev); rev <= model.CurrentRev; rev++)
        {
            all.Revision = rev;
            var actual = store.Range(all);
            var expected = model.Range(all, out var error);
            Same(expected, error, actual.Response, actual.Error, $"{context}: range of everything at revision {rev}");
        }

        var from = Math.Max(model.CompactRev + 1, 2);
        var events = store.ReadEvents(from, long.MaxValue);
        Assert.True(events.Ok, $"{context}: {events.Error}");
        var expectedEvents = model.EventsAfter(from - 1);
        Assert.True(expectedEvents.SequenceEqual(events.Response!.Events), $"{context}: history from {from} differs");
        Assert.Equal(model.CurrentRev, events.Response.Through);

        // The same history read in small pages, each ending on a revision boundary.
        var paged = new List<Event>();
        for (var next = from; next <= model.CurrentRev;)
        {
            var page = store.ReadEvents(next, long.MaxValue, maxEvents: 3).Response!;
            Assert.True(page.Through >= next, $"{context}: a page made no progress at {next}");
            paged.AddRange(page.Events);
            next = page.Through + 1;
        }

        Assert.True(expectedEvents.SequenceEqual(paged), $"{context}: paged history differs");

        await physical.WaitAsync(TimeSpan.FromSeconds(30));
        var hashRev = model.CompactRev >= model.CurrentRev ? 0 : model.CurrentRev;
        var hash = store.HashKV(hashRev);
        Assert.True(hash.Ok, $"{context}: HashKV failed with {hash.Error}");
        Assert.Equal(model.HashKV(model.CurrentRev), hash.Response!.Hash);
    }
}
