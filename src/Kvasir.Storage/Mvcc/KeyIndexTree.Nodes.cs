namespace Kvasir.Storage.Mvcc;

/// <summary>The nodes of the B+ tree.</summary>
internal sealed partial class KeyIndexTree
{
    internal abstract class Node
    {
    }

    /// <summary>A leaf: key indexes in key order, <c>Items[0..Count)</c>, linked to its neighbours.</summary>
    internal sealed class Leaf : Node
    {
        public readonly KeyIndex?[] Items = new KeyIndex?[LeafCapacity];
        public int Count;
        public Leaf? Next;
        public Leaf? Prev;

        /// <summary>Binary search: the position of <paramref name="key"/>, or the complement of its insertion point.</summary>
        public int Search(ReadOnlySpan<byte> key)
        {
            int lo = 0, hi = Count - 1;
            while (lo <= hi)
            {
                var mid = (lo + hi) >>> 1;
                var c = Items[mid]!.Key.AsSpan().SequenceCompareTo(key);
                if (c == 0)
                {
                    return mid;
                }

                if (c < 0)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            return ~lo;
        }

        public void InsertAt(int i, KeyIndex item)
        {
            Array.Copy(Items, i, Items, i + 1, Count - i);
            Items[i] = item;
            Count++;
        }

        public void RemoveAt(int i)
        {
            Array.Copy(Items, i + 1, Items, i, Count - i - 1);
            Items[--Count] = null;
        }

        /// <summary>Moves the upper half into a new right neighbour and links it in.</summary>
        public Leaf Split()
        {
            var right = new Leaf();
            var half = Count / 2;
            var moved = Count - half;
            Array.Copy(Items, half, right.Items, 0, moved);
            Array.Clear(Items, half, moved);
            right.Count = moved;
            Count = half;
            right.Next = Next;
            right.Prev = this;
            if (Next is not null)
            {
                Next.Prev = right;
            }

            Next = right;
            return right;
        }
    }

    /// <summary>
    /// An inner node: <c>Children[0..Count)</c> and separators <c>Keys[0..Count-1)</c>, where every key in
    /// <c>Children[i+1]</c> is at least <c>Keys[i]</c> and every key in <c>Children[i]</c> is below it.
    /// </summary>
    internal sealed class Inner : Node
    {
        public readonly byte[]?[] Keys = new byte[]?[InnerCapacity - 1];
        public readonly Node?[] Children = new Node?[InnerCapacity];
        public int Count;

        /// <summary>The child whose range holds <paramref name="key"/>.</summary>
        public int ChildFor(ReadOnlySpan<byte> key)
        {
            // The number of separators at or below the key.
            int lo = 0, hi = Count - 2;
            while (lo <= hi)
            {
                var mid = (lo + hi) >>> 1;
                if (Keys[mid].AsSpan().SequenceCompareTo(key) <= 0)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            return lo;
        }

        /// <summary>Inserts <paramref name="child"/> at position <paramref name="at"/> (at least 1), with its lower bound.</summary>
        public void InsertChild(int at, byte[] separator, Node child)
        {
            Array.Copy(Children, at, Children, at + 1, Count - at);
            Array.Copy(Keys, at - 1, Keys, at, Count - at);
            Children[at] = child;
            Keys[at - 1] = separator;
            Count++;
        }

        /// <summary>Removes child <paramref name="at"/> and the separator that bounded it.</summary>
        public void RemoveChild(int at)
        {
            Array.Copy(Children, at + 1, Children, at, Count - at - 1);
            Children[Count - 1] = null;
            if (Count > 1)
            {
                // Child 0 has no lower separator: removing it drops the separator above the new child 0.
                var k = at == 0 ? 0 : at - 1;
                Array.Copy(Keys, k + 1, Keys, k, Count - 2 - k);
                Keys[Count - 2] = null;
            }

            Count--;
        }

        /// <summary>Moves the upper half of the children into a new right sibling; returns the separator between them.</summary>
        public (byte[] Separator, Inner Right) Split()
        {
            var right = new Inner();
            var half = Count / 2;
            var moved = Count - half;
            Array.Copy(Children, half, right.Children, 0, moved);
            Array.Copy(Keys, half, right.Keys, 0, moved - 1);
            var separator = Keys[half - 1]!;
            Array.Clear(Children, half, moved);
            Array.Clear(Keys, half - 1, moved);
            right.Count = moved;
            Count = half;
            return (separator, right);
        }
    }
}
