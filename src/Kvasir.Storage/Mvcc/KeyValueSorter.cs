using Kvasir.Api.Mvccpb;
using SortTarget = Kvasir.Api.Etcdserverpb.RangeRequest.Types.SortTarget;

namespace Kvasir.Storage.Mvcc;

/// <summary>
/// Sorts a Range's results by a target, as etcd's applier does. The sort is stable: elements that compare
/// equal keep their key order (ascending) in both directions, which is what etcd's sort gives for up to 12
/// results; for more, etcd's unstable sort may order ties differently (README, "Known differences").
/// </summary>
internal static class KeyValueSorter
{
    public static void Sort(List<KeyValue> kvs, SortTarget target, bool descending)
    {
        if (kvs.Count < 2)
        {
            return;
        }

        var items = new (KeyValue Kv, int Position)[kvs.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = (kvs[i], i);
        }

        var comparer = new Comparer(target, descending);
        Array.Sort(items, comparer);
        for (var i = 0; i < items.Length; i++)
        {
            kvs[i] = items[i].Kv;
        }
    }

    private sealed class Comparer(SortTarget target, bool descending) : IComparer<(KeyValue Kv, int Position)>
    {
        public int Compare((KeyValue Kv, int Position) a, (KeyValue Kv, int Position) b)
        {
            var c = target switch
            {
                SortTarget.Key => a.Kv.Key.Span.SequenceCompareTo(b.Kv.Key.Span),
                SortTarget.Version => a.Kv.Version.CompareTo(b.Kv.Version),
                SortTarget.Create => a.Kv.CreateRevision.CompareTo(b.Kv.CreateRevision),
                SortTarget.Mod => a.Kv.ModRevision.CompareTo(b.Kv.ModRevision),
                SortTarget.Value => a.Kv.Value.Span.SequenceCompareTo(b.Kv.Value.Span),
                _ => 0,
            };
            c = Math.Sign(c);
            if (descending)
            {
                c = -c;
            }

            return c != 0 ? c : a.Position.CompareTo(b.Position);
        }
    }
}
