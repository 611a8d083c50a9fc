using Google.Protobuf;

namespace Kvasir.Server.Watch;

/// <summary>
/// Distinct key intervals [Key, End) (End null: no end) with one value each, answering "which
/// intervals contain this key" in O(log n + matches). A treap ordered by (Key, End), each node
/// augmented with the greatest End in its subtree, so a stabbing query skips every subtree that
/// ends at or before the key. Priorities come from a fixed-seed generator: the shape depends only
/// on the order of operations, never on chance. Not thread-safe: the owner locks.
/// </summary>
internal sealed class IntervalTree<T>
    where T : class
{
    private Node? _root;
    private uint _seed = 0x9E3779B9u;

    public int Count { get; private set; }

    /// <summary>The value of exactly the interval [<paramref name="key"/>, <paramref name="end"/>), or null.</summary>
    public T? Find(ByteString key, ByteString? end)
    {
        var node = _root;
        while (node is not null)
        {
            var c = Compare(key, end, node);
            if (c == 0)
            {
                return node.Value;
            }

            node = c < 0 ? node.Left : node.Right;
        }

        return null;
    }

    /// <summary>Adds an interval that is not in the tree yet.</summary>
    public void Insert(ByteString key, ByteString? end, T value)
    {
        _root = Insert(_root, new Node(key, end, value, NextPriority()));
        Count++;
    }

    /// <summary>Removes the interval; false when it was not there.</summary>
    public bool Remove(ByteString key, ByteString? end)
    {
        var removed = false;
        _root = Remove(_root, key, end, ref removed);
        if (removed)
        {
            Count--;
        }

        return removed;
    }

    /// <summary>Adds to <paramref name="found"/> the value of every interval that contains <paramref name="point"/>.</summary>
    public void Stab(ReadOnlySpan<byte> point, List<T> found)
    {
        if (_root is not null)
        {
            Stab(_root, point, found);
        }
    }

    private static void Stab(Node node, ReadOnlySpan<byte> point, List<T> found)
    {
        // Nothing in this subtree ends after the point.
        if (node.MaxEnd is { } maxEnd && point.SequenceCompareTo(maxEnd.Span) >= 0)
        {
            return;
        }

        if (node.Left is not null)
        {
            Stab(node.Left, point, found);
        }

        // This node and its right subtree start after the point.
        if (node.Key.Span.SequenceCompareTo(point) > 0)
        {
            return;
        }

        if (node.End is null || point.SequenceCompareTo(node.End.Span) < 0)
        {
            found.Add(node.Value);
        }

        if (node.Right is not null)
        {
            Stab(node.Right, point, found);
        }
    }

    private static Node Insert(Node? node, Node added)
    {
        if (node is null)
        {
            return added;
        }

        if (Compare(added.Key, added.End, node) < 0)
        {
            node.Left = Insert(node.Left, added);
            if (node.Left.Priority > node.Priority)
            {
                return RotateRight(node);
            }
        }
        else
        {
            node.Right = Insert(node.Right, added);
            if (node.Right.Priority > node.Priority)
            {
                return RotateLeft(node);
            }
        }

        node.Update();
        return node;
    }

    private static Node? Remove(Node? node, ByteString key, ByteString? end, ref bool removed)
    {
        if (node is null)
        {
            return null;
        }

        var c = Compare(key, end, node);
        if (c == 0)
        {
            removed = true;
            return Merge(node.Left, node.Right);
        }

        if (c < 0)
        {
            node.Left = Remove(node.Left, key, end, ref removed);
        }
        else
        {
            node.Right = Remove(node.Right, key, end, ref removed);
        }

        node.Update();
        return node;
    }

    /// <summary>Joins two subtrees where every interval of <paramref name="left"/> orders before every one of <paramref name="right"/>.</summary>
    private static Node? Merge(Node? left, Node? right)
    {
        if (left is null)
        {
            return right;
        }

        if (right is null)
        {
            return left;
        }

        if (left.Priority > right.Priority)
        {
            left.Right = Merge(left.Right, right);
            left.Update();
            return left;
        }

        right.Left = Merge(left, right.Left);
        right.Update();
        return right;
    }

    private static Node RotateRight(Node node)
    {
        var left = node.Left!;
        node.Left = left.Right;
        left.Right = node;
        node.Update();
        left.Update();
        return left;
    }

    private static Node RotateLeft(Node node)
    {
        var right = node.Right!;
        node.Right = right.Left;
        right.Left = node;
        node.Update();
        right.Update();
        return right;
    }

    /// <summary>Orders intervals by key, then by end; no end orders last.</summary>
    private static int Compare(ByteString key, ByteString? end, Node node)
    {
        var c = key.Span.SequenceCompareTo(node.Key.Span);
        return c != 0 ? c : CompareEnds(end, node.End);
    }

    private static int CompareEnds(ByteString? a, ByteString? b)
    {
        if (a is null)
        {
            return b is null ? 0 : 1;
        }

        return b is null ? -1 : a.Span.SequenceCompareTo(b.Span);
    }

    private uint NextPriority()
    {
        // xorshift32: cheap, and the same sequence on every run.
        var x = _seed;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        _seed = x;
        return x;
    }

    private sealed class Node(ByteString key, ByteString? end, T value, uint priority)
    {
        public ByteString Key { get; } = key;

        public ByteString? End { get; } = end;

        public T Value { get; } = value;

        public uint Priority { get; } = priority;

        public Node? Left { get; set; }

        public Node? Right { get; set; }

        /// <summary>The greatest end in this subtree; null when some interval in it has no end.</summary>
        public ByteString? MaxEnd { get; private set; } = end;

        public void Update()
        {
            var max = End;
            if (max is not null)
            {
                max = Max(max, Left);
            }

            if (max is not null)
            {
                max = Max(max, Right);
            }

            MaxEnd = max;
        }

        private static ByteString? Max(ByteString current, Node? child)
        {
            if (child is null)
            {
                return current;
            }

            var end = child.MaxEnd;
            return end is null ? null : (end.Span.SequenceCompareTo(current.Span) > 0 ? end : current);
        }
    }
}
