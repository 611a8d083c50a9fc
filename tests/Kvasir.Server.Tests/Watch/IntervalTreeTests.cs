using Google.Protobuf;
using Kvasir.Server.Watch;

namespace Kvasir.Server.Tests.Watch;

/// <summary>The interval tree against a list searched in full, over seeded random inserts, removals and stabs.</summary>
public sealed class IntervalTreeTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Stab_RandomIntervals_FindsExactlyThoseContainingThePoint(int seed)
    {
        var random = new Random(seed);
        var tree = new IntervalTree<string>();
        var model = new List<(string Key, string? End)>();
        for (var step = 0; step < 4000; step++)
        {
            var op = random.Next(10);
            if (op < 4)
            {
                var key = RandomKey(random);
                string? end = random.Next(5) == 0 ? null : key + RandomKey(random);
                if (tree.Find(B(key), end is null ? null : B(end)) is null)
                {
                    tree.Insert(B(key), end is null ? null : B(end), key + "|" + end);
                    model.Add((key, end));
                }
            }
            else if (op < 6 && model.Count > 0)
            {
                var i = random.Next(model.Count);
                var (key, end) = model[i];
                Assert.True(tree.Remove(B(key), end is null ? null : B(end)), $"seed {seed} step {step}");
                model.RemoveAt(i);
            }
            else
            {
                var point = RandomKey(random);
                var found = new List<string>();
                tree.Stab(B(point).Span, found);
                var expected = model
                    .Where(m => string.CompareOrdinal(m.Key, point) <= 0 && (m.End is null || string.CompareOrdinal(point, m.End) < 0))
                    .Select(m => m.Key + "|" + m.End)
                    .Order(StringComparer.Ordinal);
                Assert.True(expected.SequenceEqual(found.Order(StringComparer.Ordinal)), $"seed {seed} step {step} point {point}");
            }

            Assert.Equal(model.Count, tree.Count);
        }

        Assert.False(tree.Remove(B("absent"), B("absentz")));
    }

    private static string RandomKey(Random random)
    {
        var chars = new char[random.Next(1, 4)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)('a' + random.Next(4));
        }

        return new string(chars);
    }

    private static ByteString B(string s) => ByteString.CopyFromUtf8(s);
}
