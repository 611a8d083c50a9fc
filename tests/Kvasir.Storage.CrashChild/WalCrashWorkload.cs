using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;
using Kvasir.Raft;
using Kvasir.Storage.Snap;
using Kvasir.Storage.Wal;

namespace Kvasir.Storage.CrashChild;

/// <summary>
/// A Raft-like writer for crash tests: concurrent writers append entries (content a function of
/// index and term), advance the commit, now and then replace the uncommitted tail under a new term
/// (a leader change), take snapshots (file, marker, WAL release, purge). It reports what became
/// durable, and what it is about to replace, as lines a checker replays:
/// <c>D index term</c> (entry durable), <c>C commit</c> (hard state durable), <c>R index term</c>
/// (replacing from index under term, reported before the append), <c>S index term</c> (snapshot durable).
/// </summary>
public sealed class WalCrashWorkload
{
    private readonly WriteAheadLog _wal;
    private readonly Snapshotter _snapshots;
    private readonly Random _random;
    private readonly Action<string> _report;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<ulong, ulong> _terms = [];
    private ulong _term;
    private ulong _commit;
    private long _durableCommit;
    private ulong _lastIndex;
    private ulong _snapshotIndex;
    private int _appends;

    public WalCrashWorkload(WriteAheadLog wal, Snapshotter snapshots, int seed, Action<string> report)
    {
        _wal = wal;
        _snapshots = snapshots;
        _random = new Random(seed);
        _report = report;
        var recovered = wal.Recovered;
        _snapshotIndex = recovered.Snapshot.Index;
        _commit = recovered.HardState.Commit;
        _durableCommit = (long)_commit;
        _term = Math.Max(1, Math.Max(recovered.HardState.Term, recovered.Snapshot.Term));
        _lastIndex = recovered.LastIndex;
        foreach (var entry in recovered.Entries)
        {
            _terms[entry.Index] = entry.Term;
            _term = Math.Max(_term, entry.Term);
        }
    }

    /// <summary>Called (under the writers' gate) after each append is taken, with the count so far.</summary>
    public Action<int>? AfterAppend { get; init; }

    /// <summary>Runs <paramref name="writers"/> writers until <paramref name="appends"/> appends were taken, the WAL fails, or cancellation.</summary>
    public async Task RunAsync(int writers, int appends, CancellationToken cancellationToken)
    {
        var tasks = new Task[writers];
        for (var i = 0; i < writers; i++)
        {
            tasks[i] = WriterAsync(appends, cancellationToken);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>The data of entry (index, term): both numbers, then a pattern seeded by them.</summary>
    public static byte[] Payload(ulong index, ulong term, int size)
    {
        size = Math.Max(size, 16);
        var bytes = new byte[size];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, index);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), term);
        var x = (index * 0x9E3779B97F4A7C15UL) ^ (term * 0xC2B2AE3D27D4EB4FUL) | 1;
        for (var i = 16; i < size; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            bytes[i] = (byte)x;
        }

        return bytes;
    }

    /// <summary>Whether an entry read back carries exactly the data this workload wrote for its index and term.</summary>
    public static bool IsGenuine(Entry entry) =>
        entry.Data.Length >= 16 && entry.Data.Span.SequenceEqual(Payload(entry.Index, entry.Term, entry.Data.Length));

    private async Task WriterAsync(int appends, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var step = await StepAsync(appends, cancellationToken).ConfigureAwait(false);
                if (step is not { } taken)
                {
                    return;
                }

                await _wal.WaitDurableAsync(taken.Position, cancellationToken).ConfigureAwait(false);
                foreach (var (index, term) in taken.Entries)
                {
                    _report(string.Create(CultureInfo.InvariantCulture, $"D {index} {term}"));
                }

                if (taken.Commit is { } commit)
                {
                    RaiseDurableCommit(commit);
                    _report(string.Create(CultureInfo.InvariantCulture, $"C {commit}"));
                }
            }
        }
        catch (WalFatalException)
        {
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Takes one append (or a snapshot) under the gate, so appends enter the WAL in log order.</summary>
    private async Task<Taken?> StepAsync(int appends, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_appends >= appends)
            {
                return null;
            }

            var roll = _random.Next(100);
            var durableCommit = (ulong)Interlocked.Read(ref _durableCommit);
            if (roll < 4 && durableCommit > _snapshotIndex && _terms.ContainsKey(durableCommit))
            {
                await SnapshotAsync(durableCommit, cancellationToken).ConfigureAwait(false);
            }

            var first = _lastIndex + 1;
            var newTerm = false;
            if (roll is >= 4 and < 8 && _lastIndex > _commit)
            {
                newTerm = true;
                _term++;
                first = _commit + 1 + (ulong)_random.NextInt64((long)(_lastIndex - _commit));
                _report(string.Create(CultureInfo.InvariantCulture, $"R {first} {_term}"));
            }

            var count = _random.Next(1, 4);
            var entries = new List<Entry>(count);
            var written = new List<(ulong, ulong)>(count);
            for (var i = 0; i < count; i++)
            {
                var index = first + (ulong)i;
                entries.Add(new Entry { Index = index, Term = _term, Data = ByteString.CopyFrom(Payload(index, _term, _random.Next(16, 1500))) });
                written.Add((index, _term));
            }

            var commit = Math.Max(_commit, Math.Min(_wal.DurableIndex, first - 1));
            // Raft persists a new term before it writes under it.
            HardState? hardState = newTerm || commit > _commit || _random.Next(4) == 0 ? new HardState { Term = _term, Vote = 1, Commit = commit } : null;
            var position = await _wal.AppendAsync(hardState, entries, mustSync: true, cancellationToken).ConfigureAwait(false);
            for (var index = first; index <= _lastIndex; index++)
            {
                _terms.Remove(index);
            }

            foreach (var (index, term) in written)
            {
                _terms[index] = term;
            }

            _lastIndex = first + (ulong)count - 1;
            _commit = commit;
            _appends++;
            AfterAppend?.Invoke(_appends);
            return new Taken(position, written, hardState?.Commit);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A snapshot at a durable commit: the file first, then the durable marker, then release and purge.</summary>
    private async Task SnapshotAsync(ulong index, CancellationToken cancellationToken)
    {
        var metadata = new SnapshotMetadata { Index = index, Term = _terms[index], ConfState = new ConfState { Voters = { 1 } } };
        _snapshots.Save(metadata, Payload(metadata.Index, metadata.Term, 64));
        await _wal.SaveSnapshotAsync(metadata, cancellationToken).ConfigureAwait(false);
        _wal.ReleaseTo(metadata.Index);
        _snapshots.Purge(2);
        for (var i = _snapshotIndex; i < metadata.Index; i++)
        {
            _terms.Remove(i);
        }

        _snapshotIndex = metadata.Index;
        _report(string.Create(CultureInfo.InvariantCulture, $"S {metadata.Index} {metadata.Term}"));
    }

    private void RaiseDurableCommit(ulong commit)
    {
        var seen = Interlocked.Read(ref _durableCommit);
        while ((ulong)seen < commit)
        {
            var previous = Interlocked.CompareExchange(ref _durableCommit, (long)commit, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    private sealed record Taken(WalPosition Position, List<(ulong Index, ulong Term)> Entries, ulong? Commit);
}
