using Kvasir.Storage.Mvcc;

namespace Kvasir.Storage.Tests.Mvcc;

/// <summary>etcd's keyIndex rules on a hand-made history (the cases of etcd's key_index_test, rebuilt).</summary>
public sealed class KeyIndexTests
{
    // Puts at 2, 4, 6(tombstone); 8, 10, 12(tombstone); 14, 14.1, 16 (live).
    private static KeyIndex History()
    {
        var ki = new KeyIndex("foo"u8.ToArray());
        ki.Put(new Revision(2, 0));
        ki.Put(new Revision(4, 0));
        Assert.True(ki.Tombstone(new Revision(6, 0)));
        ki.Put(new Revision(8, 0));
        ki.Put(new Revision(10, 0));
        Assert.True(ki.Tombstone(new Revision(12, 0)));
        ki.Put(new Revision(14, 0));
        ki.Put(new Revision(14, 1));
        ki.Put(new Revision(16, 0));
        return ki;
    }

    [Theory]
    [InlineData(1, -1, 0, 0)]
    [InlineData(2, 2, 2, 1)]
    [InlineData(5, 4, 2, 2)]
    [InlineData(6, -1, 0, 0)]
    [InlineData(7, -1, 0, 0)]
    [InlineData(9, 8, 8, 1)]
    [InlineData(12, -1, 0, 0)]
    [InlineData(14, 14, 14, 2)]
    [InlineData(100, 16, 14, 3)]
    public void TryGet_AtRevision_EtcdAnswer(long atRev, long expectedMain, long expectedCreated, long expectedVersion)
    {
        var found = History().TryGet(atRev, out var mod, out var created, out var version);
        Assert.Equal(expectedMain >= 0, found);
        if (found)
        {
            Assert.Equal(expectedMain, mod.Main);
            Assert.Equal(expectedCreated, created);
            Assert.Equal(expectedVersion, version);
        }
    }

    [Fact]
    public void Compact_ThroughGenerations_KeepsNewestAtOrBelowAndDropsTombstonedGenerations()
    {
        var ki = History();
        Assert.True(ki.Compact(5, out var kept));
        Assert.Equal(new Revision(4, 0), kept);
        Assert.True(ki.TryGet(5, out var mod, out _, out var version));
        Assert.Equal(4, mod.Main);
        Assert.Equal(2, version);

        // At the tombstone the whole first generation goes and nothing of it is kept.
        Assert.False(ki.Compact(6, out _));
        Assert.False(ki.TryGet(5, out _, out _, out _));
        Assert.True(ki.Compact(15, out kept));
        Assert.Equal(new Revision(14, 1), kept);
        Assert.True(ki.TryGet(16, out mod, out _, out version));
        Assert.Equal(16, mod.Main);
        Assert.Equal(3, version);
        Assert.False(ki.IsEmpty);

        Assert.True(ki.Tombstone(new Revision(18, 0)));
        Assert.False(ki.Compact(18, out _));
        Assert.True(ki.IsEmpty);
    }

    [Fact]
    public void Keep_DoesNotChangeHistory()
    {
        var ki = History();
        Assert.True(ki.Keep(11, out var kept));
        Assert.Equal(new Revision(10, 0), kept);
        Assert.False(ki.Keep(13, out _));
        Assert.True(ki.TryGet(2, out _, out _, out _));
    }

    [Fact]
    public void Put_NotAfterLastRevision_Throws()
    {
        var ki = History();
        Assert.Throws<InvalidOperationException>(() => ki.Put(new Revision(16, 0)));
        Assert.False(new KeyIndex("x"u8.ToArray()).Tombstone(new Revision(3, 0)));
    }
}
