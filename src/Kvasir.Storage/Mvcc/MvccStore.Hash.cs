using System.Text;
using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Storage.Backend;

namespace Kvasir.Storage.Mvcc;

/// <summary>
/// Hashes, with etcd's definitions. HashKV(rev) is CRC-32C over "key" and then, in revision order, the
/// backend key and value of every row at or below rev that is either above the compacted revision or
/// the one a compaction at rev would keep for its key (so it does not depend on how far physical
/// compaction got). Its bytes are etcd's: a Kvasir member and an etcd member that applied the same
/// history agree. Hash is CRC-32C over every bucket's name and rows (the consistent index excluded).
/// </summary>
public sealed partial class MvccStore
{
    /// <summary>
    /// etcd's HashKV at <paramref name="revision"/> (0: the current revision). Errors: compacted (at or
    /// below the compacted revision, as etcd 3.4 says), future revision. Safe from any thread; the applier
    /// waits only for one commit.
    /// </summary>
    public ReadResult<HashKVResponse> HashKV(long revision)
    {
        EnterRead();
        try
        {
            using var reader = _backend.RentReader();
            long compactRev, currentRev;
            lock (_backend.WriteLock)
            {
                ThrowIfUnusable();
                CommitLocked(durable: false);
                var state = _state;
                compactRev = state.CompactRev;
                currentRev = state.CurrentRev;
                if (revision > 0 && revision <= compactRev)
                {
                    return EtcdErrors.Compacted;
                }

                if (revision > 0 && revision > currentRev)
                {
                    return EtcdErrors.FutureRev;
                }

                // Pinned while the writer is held: the snapshot holds every row up to currentRev.
                reader.BeginSnapshot();
            }

            var rev = revision == 0 ? currentRev : revision;
            List<Revision> keep;
            _indexCompactionGate.Wait();
            try
            {
                keep = _index.Keep(rev);
            }
            finally
            {
                _indexCompactionGate.Release();
            }

            var hash = new Crc32C();
            hash.Append(Encoding.ASCII.GetBytes(BackendSchema.KeyBucket));
            var upper = new Revision(rev + 1, 0);
            var lower = new Revision(compactRev + 1, 0);
            var keptAt = 0;
            reader.ScanAllKv();
            while (reader.Next(out var key, out var value))
            {
                var kr = Revision.FromKey(key, out _);
                if (kr >= upper)
                {
                    break;
                }

                if (kr < lower && keep.Count > 0)
                {
                    while (keptAt < keep.Count && keep[keptAt] < kr)
                    {
                        keptAt++;
                    }

                    if (keptAt >= keep.Count || keep[keptAt] != kr)
                    {
                        continue;
                    }
                }

                hash.Append(key);
                hash.Append(value);
            }

            return new ReadResult<HashKVResponse>(new HashKVResponse { Header = new ResponseHeader { Revision = currentRev }, Hash = hash.Sum, CompactRevision = compactRev });
        }
        finally
        {
            ExitRead();
        }
    }

    /// <summary>
    /// etcd's Hash: CRC-32C over every bucket (the key table as "key", the server's buckets and the store's
    /// "meta", in name order), each as its name then its keys and values in key order, leaving out the
    /// consistent index. Commits first. Safe from any thread.
    /// </summary>
    public HashResponse Hash()
    {
        EnterRead();
        try
        {
            using var reader = _backend.RentReader();
            long currentRev;
            lock (_backend.WriteLock)
            {
                ThrowIfUnusable();
                CommitLocked(durable: false);
                currentRev = _state.CurrentRev;
                reader.BeginSnapshot();
            }

            var names = reader.BucketNames();
            names.Add(BackendSchema.KeyBucket);
            names.Sort(StringComparer.Ordinal);
            var hash = new Crc32C();
            foreach (var name in names)
            {
                hash.Append(Encoding.UTF8.GetBytes(name));
                if (name == BackendSchema.KeyBucket)
                {
                    reader.ScanAllKv();
                }
                else
                {
                    reader.ScanBucket(name);
                }

                var meta = name == BackendSchema.MetaBucket;
                while (reader.Next(out var key, out var value))
                {
                    if (meta && key.SequenceEqual(ConsistentIndexKey))
                    {
                        continue;
                    }

                    hash.Append(key);
                    hash.Append(value);
                }
            }

            return new HashResponse { Header = new ResponseHeader { Revision = currentRev }, Hash = hash.Sum };
        }
        finally
        {
            ExitRead();
        }
    }
}
