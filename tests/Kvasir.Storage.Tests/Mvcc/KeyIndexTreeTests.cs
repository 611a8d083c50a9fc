using System.Text;
using Kvasir.Storage.Mvcc;

namespace Kvasir.Storage.Tests.Mvcc;

public sealed class KeyIndexTreeTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void InsertRemoveSeek_RandomOperations_MatchSortedSet(int seed)
    {
        var rng = new Random(seed);
        var tree = new KeyIndexTree();
        var model = new SortedSet<string>(StringComparer.Ordinal);
        for (var step = 0; step < 20_000; step++)
        {
            var key = $"k{rng.Next(3000):D5}";
            var bytes = Encoding.Latin1.GetBytes(key);
            if (rng.Next(3) > 0)
            {
                if (model.Add(key))
                {
                    tree.Insert(new KeyIndex(bytes));
                }
                else
                {
                    Assert.NotNull(tree.Get(bytes));
                }
            }
            else
            {
                Assert.Equal(model.Remove(key), tree.Remove(bytes));
            }

            if (step % 2000 == 0)
            {
                AssertSameOrder(tree, model, seed, step);
            }
        }

        AssertSameOrder(tree, model, seed, -1);
        // Seek: the first key at or above (or above) a probe.
        for (var i = 0; i < 500; i++)
        {
            var probe = $"k{rng.Next(3100):D5}";
            var exclusive = rng.Next(2) == 0;
            var expected = model.GetViewBetween(probe, "l").FirstOrDefault(k => !exclusive || k != probe);
            var (leaf, index) = tree.Seek(Encoding.Latin1.GetBytes(probe), exclusive);
            var actual = leaf is null ? null : Encoding.Latin1.GetString(leaf.Items[index]!.Key);
            Assert.Equal(expected, actual);
        }

        // Removing everything leaves an empty, usable tree.
        foreach (var key in model.ToList())
        {
            Assert.True(tree.Remove(Encoding.Latin1.GetBytes(key)));
        }

        Assert.Equal(0, tree.Count);
        Assert.Null(tree.First().Leaf);
        tree.Insert(new KeyIndex("a"u8.ToArray()));
        Assert.NotNull(tree.Get("a"u8));
    }

    private static void AssertSameOrder(KeyIndexTree tree, SortedSet<string> model, int seed, int step)
    {
        var keys = new List<string>();
        for (var (leaf, i) = tree.First(); leaf is not null; leaf = leaf.Next, i = 0)
        {
            for (; i < leaf.Count; i++)
            {
                keys.Add(Encoding.Latin1.GetString(leaf.Items[i]!.Key));
            }
        }

        Assert.True(model.SequenceEqual(keys), $"seed {seed}, step {step}: tree order differs");
        Assert.Equal(model.Count, tree.Count);
    }
}
