using System.Text;
using Google.Protobuf;
using Kvasir.Storage.Mvcc;

namespace Kvasir.Storage.Tests.Mvcc;

/// <summary>etcd's HashKV computed from the model's rows, as the backend holds them once physical compaction is done.</summary>
internal sealed partial class ModelStore
{
    public uint HashKV(long rev)
    {
        var keepAtRev = Keep(rev);
        var present = CompactRev > 0 ? Keep(CompactRev) : null;
        var hash = new Crc32C();
        hash.Append(Encoding.ASCII.GetBytes("key"));
        Span<byte> key = stackalloc byte[Revision.TombstoneKeyLength];
        foreach (var row in _rows)
        {
            if (row.Rev.Main > rev)
            {
                break;
            }

            if (row.Rev.Main <= CompactRev)
            {
                var physicallyThere = present!.Contains(row.Rev);
                if (!physicallyThere || (keepAtRev.Count > 0 && !keepAtRev.Contains(row.Rev)))
                {
                    continue;
                }
            }

            var n = row.Rev.WriteKey(key, row.Tombstone);
            hash.Append(key[..n]);
            hash.Append(row.Kv.ToByteArray());
        }

        return hash.Sum;
    }

    /// <summary>For every key, its newest row at or below <paramref name="rev"/> when that row is not a tombstone.</summary>
    private HashSet<Revision> Keep(long rev)
    {
        var newest = new Dictionary<string, Row>(StringComparer.Ordinal);
        foreach (var row in _rows)
        {
            if (row.Rev.Main > rev)
            {
                break;
            }

            newest[S(row.Kv.Key)] = row;
        }

        return [.. newest.Values.Where(r => !r.Tombstone).Select(r => r.Rev)];
    }
}
