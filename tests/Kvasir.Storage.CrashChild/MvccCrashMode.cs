using System.Runtime.CompilerServices;
using System.Text;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Storage.Mvcc;

namespace Kvasir.Storage.CrashChild;

/// <summary>
/// The "mvcc" mode: applies a seeded workload to an MVCC store as Raft entries 1, 2, 3..., resuming after
/// the store's consistent index, and prints "committed N" after each forced commit. The crash test kills
/// it with SIGKILL at random moments and checks that the reopened store equals the workload's prefix up to
/// its consistent index, which is at least the last N printed.
/// Usage: mvcc &lt;dir&gt; &lt;seed&gt; &lt;entries&gt; &lt;commitEvery&gt; [pauseMs], where the pause after each
/// report paces the child so that a kill can land anywhere in the run.
/// </summary>
public static class MvccCrashMode
{
    [ModuleInitializer]
    internal static void Register() => Modes.Register("mvcc", Run);

    /// <summary>The store options the child and the checking test both use.</summary>
    public static MvccOptions Options(string dir) => new()
    {
        Path = Path.Combine(dir, "mvcc.db"),
        BatchLimit = 64,
        BatchInterval = TimeSpan.FromMilliseconds(5),
        CompactionBatchLimit = 16,
        CompactionSleepInterval = TimeSpan.FromMilliseconds(1),
    };

    /// <summary>Applies one workload operation to the store as the entry at <paramref name="index"/>; ranges only move the consistent index.</summary>
    public static void Apply(MvccStore store, object drawn, long index)
    {
        switch (Workload.Resolve(drawn, store.CurrentRevision, store.CompactRevision))
        {
            case PutRequest p:
                store.Put(p, index);
                break;
            case DeleteRangeRequest d:
                store.DeleteRange(d, index);
                break;
            case TxnRequest t:
                store.Txn(t, index);
                break;
            case CompactionRequest c:
                store.Compact(c, index);
                break;
            default:
                store.AdvanceConsistentIndex(index);
                break;
        }
    }

    private static int Run(string[] args)
    {
        var pauseMs = 0;
        if (args.Length is < 4 or > 5 || !int.TryParse(args[1], out var seed) || !int.TryParse(args[2], out var entries) ||
            !int.TryParse(args[3], out var commitEvery) || commitEvery < 1 || (args.Length == 5 && !int.TryParse(args[4], out pauseMs)))
        {
            Console.Error.WriteLine("usage: mvcc <dir> <seed> <entries> <commitEvery> [pauseMs]");
            return 2;
        }

        using var store = MvccStore.Open(Options(args[0]));
        var start = store.ConsistentIndex;
        Console.Out.WriteLine($"opened {start}");
        Console.Out.Flush();
        var workload = new Workload(seed);
        for (long i = 1; i <= entries; i++)
        {
            var op = workload.Next();
            if (i <= start)
            {
                continue;
            }

            Apply(store, op, i);
            if (i % commitEvery == 0)
            {
                store.Commit();
                Console.Out.WriteLine($"committed {i}");
                Console.Out.Flush();
                if (pauseMs > 0)
                {
                    Thread.Sleep(pauseMs);
                }
            }
        }

        store.Commit();
        Console.Out.WriteLine($"committed {entries}");
        Console.Out.WriteLine("done");
        Console.Out.Flush();
        return 0;
    }

    /// <summary>
    /// A seeded stream of KV requests over a small key space (so keys are rewritten, deleted and
    /// recreated often): puts (some with prev_kv, ignore_value, ignore_lease, leases), deletes of keys,
    /// ranges and prefixes, txns with compares and nested txns, compactions and ranges. The random draws
    /// never depend on the store, so a run can be resumed at any entry; a compaction's revision and a
    /// range's revision are drawn as fractions and resolved against the store when applied.
    /// </summary>
    public sealed class Workload(int seed, int keySpace = 24)
    {
        private readonly Random _rng = new(seed);

        /// <summary>The next operation: a request message, or a <see cref="CompactDraw"/>; resolve it with <see cref="Resolve"/>.</summary>
        public object Next()
        {
            var roll = _rng.Next(100);
            return roll switch
            {
                < 45 => NextPut(),
                < 55 => NextDelete(),
                < 75 => NextTxn(depth: 0, written: []),
                < 80 => new CompactDraw(_rng.NextDouble()),
                _ => NextRange(),
            };
        }

        public ByteString Key(int n) => ByteString.CopyFrom(Encoding.Latin1.GetBytes($"k{n:D2}"));

        private ByteString RandomKey() => Key(_rng.Next(keySpace));

        private PutRequest NextPut(ByteString? key = null)
        {
            var p = new PutRequest { Key = key ?? RandomKey(), PrevKv = _rng.Next(3) == 0 };
            var special = _rng.Next(20);
            if (special == 0)
            {
                p.IgnoreValue = true;
            }
            else
            {
                p.Value = RandomValue();
            }

            if (special == 1)
            {
                p.IgnoreLease = true;
            }
            else if (_rng.Next(5) == 0)
            {
                p.Lease = 1 + _rng.Next(3);
            }

            return p;
        }

        private ByteString RandomValue()
        {
            var bytes = new byte[_rng.Next(12)];
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)('a' + _rng.Next(4));
            }

            return ByteString.CopyFrom(bytes);
        }

        private DeleteRangeRequest NextDelete()
        {
            var d = new DeleteRangeRequest { Key = RandomKey(), PrevKv = _rng.Next(2) == 0 };
            switch (_rng.Next(6))
            {
                case 0:
                    d.RangeEnd = Key(_rng.Next(keySpace + 1));
                    break;
                case 1:
                    d.Key = ByteString.CopyFrom((byte)'k', (byte)('0' + _rng.Next(3)));
                    d.RangeEnd = KeyRange.PrefixEnd(d.Key.Span);
                    break;
                case 2 when _rng.Next(4) == 0:
                    d.RangeEnd = KeyRange.FromKeyEnd;
                    break;
            }

            return d;
        }

        private RangeRequest NextRange()
        {
            var r = new RangeRequest { Key = RandomKey() };
            switch (_rng.Next(5))
            {
                case 0:
                    r.RangeEnd = Key(_rng.Next(keySpace + 1));
                    break;
                case 1:
                    r.Key = ByteString.CopyFrom(0);
                    r.RangeEnd = KeyRange.FromKeyEnd;
                    break;
                case 2:
                    r.RangeEnd = KeyRange.PrefixEnd("k1"u8);
                    r.Key = ByteString.CopyFromUtf8("k1");
                    break;
            }

            if (_rng.Next(3) == 0)
            {
                r.Limit = _rng.Next(1, 5);
            }

            r.CountOnly = _rng.Next(10) == 0;
            r.KeysOnly = _rng.Next(8) == 0;
            if (_rng.Next(3) == 0)
            {
                r.SortOrder = (RangeRequest.Types.SortOrder)_rng.Next(3);
                r.SortTarget = (RangeRequest.Types.SortTarget)_rng.Next(5);
            }

            if (_rng.Next(6) == 0)
            {
                r.MinModRevision = _rng.Next(0, 40);
                r.MaxCreateRevision = _rng.Next(0, 80);
            }

            // Negative draws stand for "a revision relative to now", resolved by the caller.
            r.Revision = _rng.Next(3) == 0 ? -1 - _rng.Next(8) : 0;
            return r;
        }

        private TxnRequest NextTxn(int depth, HashSet<ByteString> written)
        {
            var t = new TxnRequest();
            for (var n = _rng.Next(3); n > 0; n--)
            {
                t.Compare.Add(NextCompare());
            }

            Fill(t.Success, depth, written);
            Fill(t.Failure, depth, written);
            return t;
        }

        private void Fill(Google.Protobuf.Collections.RepeatedField<RequestOp> ops, int depth, HashSet<ByteString> written)
        {
            for (var n = _rng.Next(4); n > 0; n--)
            {
                var kind = _rng.Next(10);
                if (kind < 3)
                {
                    ops.Add(new RequestOp { RequestRange = NextRange() });
                    continue;
                }

                if (kind == 9 && depth < 2)
                {
                    ops.Add(new RequestOp { RequestTxn = NextTxn(depth + 1, written) });
                    continue;
                }

                // Every key a txn writes is distinct, so the txn is never a duplicate-key error.
                var key = RandomKey();
                if (!written.Add(key))
                {
                    continue;
                }

                ops.Add(kind < 7
                    ? new RequestOp { RequestPut = NextPut(key) }
                    : new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = key, PrevKv = _rng.Next(2) == 0 } });
            }
        }

        private Compare NextCompare()
        {
            var c = new Compare
            {
                Key = RandomKey(),
                Result = (Compare.Types.CompareResult)_rng.Next(4),
                Target = (Compare.Types.CompareTarget)_rng.Next(5),
            };
            if (_rng.Next(6) == 0)
            {
                c.RangeEnd = Key(_rng.Next(keySpace + 1));
            }

            switch (c.Target)
            {
                case Compare.Types.CompareTarget.Value:
                    c.Value = RandomValue();
                    break;
                case Compare.Types.CompareTarget.Version:
                    c.Version = _rng.Next(4);
                    break;
                case Compare.Types.CompareTarget.Create:
                    c.CreateRevision = _rng.Next(60);
                    break;
                case Compare.Types.CompareTarget.Mod:
                    c.ModRevision = _rng.Next(60);
                    break;
                default:
                    c.Lease = _rng.Next(4);
                    break;
            }

            return c;
        }

        /// <summary>
        /// The request to apply for a drawn operation, given the store's revisions now: a compaction's
        /// fraction becomes a revision (some at or below the compacted one, some in the future), and a
        /// range's negative revision n becomes current + 2 + n (from the future back into history).
        /// </summary>
        public static IMessage Resolve(object op, long currentRev, long compactRev)
        {
            switch (op)
            {
                case CompactDraw c:
                    long rev = c.Draw switch
                    {
                        < 0.1 => Math.Max(compactRev, 0),
                        < 0.2 => currentRev + 1,
                        _ => compactRev + 1 + (long)((c.Draw - 0.2) / 0.8 * (currentRev - compactRev)),
                    };
                    return new CompactionRequest { Revision = Math.Min(rev, currentRev + 1) };
                case RangeRequest r:
                    return ResolveRange(r, currentRev);
                case TxnRequest t:
                    var copy = t.Clone();
                    ResolveTxn(copy, currentRev);
                    return copy;
                default:
                    return (IMessage)op;
            }
        }

        private static RangeRequest ResolveRange(RangeRequest r, long currentRev)
        {
            if (r.Revision >= 0)
            {
                return r;
            }

            var copy = r.Clone();
            copy.Revision = Math.Max(1, currentRev + 2 + r.Revision);
            return copy;
        }

        private static void ResolveTxn(TxnRequest t, long currentRev)
        {
            foreach (var op in t.Success.Concat(t.Failure))
            {
                if (op.RequestCase == RequestOp.RequestOneofCase.RequestRange)
                {
                    op.RequestRange = ResolveRange(op.RequestRange, currentRev);
                }
                else if (op.RequestCase == RequestOp.RequestOneofCase.RequestTxn)
                {
                    ResolveTxn(op.RequestTxn, currentRev);
                }
            }
        }

        /// <summary>A compaction whose revision is drawn as a fraction of the revisions not yet compacted.</summary>
        public sealed record CompactDraw(double Draw);
    }
}
