using System.Buffers.Binary;
using Kvasir.Storage.Backend;

namespace Kvasir.Storage.Mvcc;

/// <summary>Opening: the metadata and the key index rebuilt from the backend's rows.</summary>
public sealed partial class MvccStore
{
    /// <summary>
    /// Reads the metadata and replays every row of the key table, in revision order, into the index.
    /// Returns the scheduled compaction that did not finish before the store closed (-1 when none).
    /// </summary>
    private long Restore()
    {
        long consistentIndex, finished = -1, scheduled = -1;
        lock (_backend.WriteLock)
        {
            var ci = _backend.BucketGet(BackendSchema.MetaBucket, ConsistentIndexKey);
            consistentIndex = ci is { Length: 8 } ? BinaryPrimitives.ReadInt64BigEndian(ci) : 0;
            var fin = _backend.BucketGet(BackendSchema.MetaBucket, FinishedCompactKey);
            if (fin is not null)
            {
                finished = Revision.FromKey(fin, out _).Main;
            }

            var sch = _backend.BucketGet(BackendSchema.MetaBucket, ScheduledCompactKey);
            if (sch is not null)
            {
                scheduled = Revision.FromKey(sch, out _).Main;
            }
        }

        var current = 1L;
        using (var reader = _backend.RentReader())
        {
            reader.BeginSnapshot();
            reader.ScanAllKv();
            while (reader.Next(out var key, out var value))
            {
                var rev = Revision.FromKey(key, out var tombstone);
                KeyValueCodec.ReadHeader(value, out var k, out var created, out var version, out var lease);
                _index.RestoreRow(k, rev, tombstone, created, version, lease);
                current = rev.Main;
            }
        }

        // Compaction may have dropped the newest rows (tombstones at the compacted revision), also in a
        // batch committed before the compaction finished: a scheduled revision was current once, so the
        // store revision never goes back below it. (etcd counts only the finished one here.)
        current = Math.Max(current, Math.Max(finished, scheduled));
        if (scheduled <= finished)
        {
            scheduled = -1;
        }

        _consistentIndex = consistentIndex;
        _state = new ReadState(current, finished, new WriteBuffer(current + 1));
        return scheduled;
    }
}
