namespace Kvasir.Storage.Mvcc;

/// <summary>
/// An ordered map from key bytes to <see cref="KeyIndex"/>: a B+ tree whose leaves hold the key indexes in
/// ordinal byte order and are linked left to right for range scans. Not thread-safe (see
/// <see cref="TreeIndex"/>). Removal drops empty leaves and inner nodes but does not merge underfull ones:
/// removals happen only at compaction, and an underfull node costs a little space, never correctness.
/// </summary>
internal sealed partial class KeyIndexTree
{
    internal const int LeafCapacity = 64;
    internal const int InnerCapacity = 64;

    private Node _root = new Leaf();

    public int Count { get; private set; }

    /// <summary>The key index of <paramref name="key"/>, or null.</summary>
    public KeyIndex? Get(ReadOnlySpan<byte> key)
    {
        var leaf = FindLeaf(key, null);
        var i = leaf.Search(key);
        return i >= 0 ? leaf.Items[i] : null;
    }

    /// <summary>Inserts a key index whose key is not in the tree.</summary>
    public void Insert(KeyIndex item)
    {
        var split = InsertInto(_root, item);
        if (split.Right is not null)
        {
            var root = new Inner();
            root.Children[0] = _root;
            root.Children[1] = split.Right;
            root.Keys[0] = split.Separator!;
            root.Count = 2;
            _root = root;
        }

        Count++;
    }

    /// <summary>Removes the key index of <paramref name="key"/>; false when absent.</summary>
    public bool Remove(ReadOnlySpan<byte> key)
    {
        var path = new List<(Inner Node, int Child)>(8);
        var leaf = FindLeaf(key, path);
        var i = leaf.Search(key);
        if (i < 0)
        {
            return false;
        }

        leaf.RemoveAt(i);
        Count--;
        if (leaf.Count == 0 && path.Count > 0)
        {
            Unlink(leaf);
            for (var level = path.Count - 1; level >= 0; level--)
            {
                var (parent, child) = path[level];
                parent.RemoveChild(child);
                if (parent.Count > 0 || level == 0)
                {
                    break;
                }
            }

            // A root with one child hands the root role down.
            while (_root is Inner { Count: 1 } inner)
            {
                _root = inner.Children[0]!;
            }

            if (_root is Inner { Count: 0 })
            {
                _root = new Leaf();
            }
        }

        return true;
    }

    /// <summary>
    /// The position of the first key that is at least <paramref name="key"/> (or, with
    /// <paramref name="exclusive"/>, greater than it); the leaf is null past the end.
    /// </summary>
    public (Leaf? Leaf, int Index) Seek(ReadOnlySpan<byte> key, bool exclusive)
    {
        var leaf = FindLeaf(key, null);
        var i = leaf.Search(key);
        int index;
        if (i >= 0)
        {
            index = exclusive ? i + 1 : i;
        }
        else
        {
            index = ~i;
        }

        Leaf? at = leaf;
        while (at is not null && index >= at.Count)
        {
            at = at.Next;
            index = 0;
        }

        return (at, index);
    }

    /// <summary>The position of the first key of the tree.</summary>
    public (Leaf? Leaf, int Index) First()
    {
        var node = _root;
        while (node is Inner inner)
        {
            node = inner.Children[0]!;
        }

        Leaf? leaf = (Leaf)node;
        while (leaf is not null && leaf.Count == 0)
        {
            leaf = leaf.Next;
        }

        return (leaf, 0);
    }

    private Leaf FindLeaf(ReadOnlySpan<byte> key, List<(Inner Node, int Child)>? path)
    {
        var node = _root;
        while (node is Inner inner)
        {
            var c = inner.ChildFor(key);
            path?.Add((inner, c));
            node = inner.Children[c]!;
        }

        return (Leaf)node;
    }

    private static void Unlink(Leaf leaf)
    {
        if (leaf.Prev is not null)
        {
            leaf.Prev.Next = leaf.Next;
        }

        if (leaf.Next is not null)
        {
            leaf.Next.Prev = leaf.Prev;
        }

        leaf.Prev = null;
        leaf.Next = null;
    }

    private static (byte[]? Separator, Node? Right) InsertInto(Node node, KeyIndex item)
    {
        if (node is Leaf leaf)
        {
            var i = leaf.Search(item.Key);
            if (i >= 0)
            {
                throw new InvalidOperationException("insert of a key already in the index");
            }

            i = ~i;
            if (leaf.Count < LeafCapacity)
            {
                leaf.InsertAt(i, item);
                return (null, null);
            }

            var right = leaf.Split();
            if (i <= leaf.Count)
            {
                leaf.InsertAt(i, item);
            }
            else
            {
                right.InsertAt(i - leaf.Count, item);
            }

            return (right.Items[0]!.Key, right);
        }

        var inner = (Inner)node;
        var c = inner.ChildFor(item.Key);
        var (sep, newChild) = InsertInto(inner.Children[c]!, item);
        if (newChild is null)
        {
            return (null, null);
        }

        if (inner.Count < InnerCapacity)
        {
            inner.InsertChild(c + 1, sep!, newChild);
            return (null, null);
        }

        var (upSep, rightInner) = inner.Split();
        if (c + 1 <= inner.Count)
        {
            inner.InsertChild(c + 1, sep!, newChild);
        }
        else
        {
            rightInner.InsertChild(c + 1 - inner.Count, sep!, newChild);
        }

        return (upSep, rightInner);
    }
}
