using Kvasir.Api.Errors;
using Kvasir.Testing;

namespace Kvasir.Architecture.Tests;

/// <summary>The error catalogue against shared/ETCD-FACTS.md section 2, which lists etcd's texts and codes.</summary>
public sealed class ErrorCatalogueTests
{
    [Fact]
    public void Catalogue_MessagesAreUnique()
    {
        var duplicates = EtcdErrors.All.GroupBy(e => e.Message).Where(g => g.Count() > 1).Select(g => g.Key);
        Assert.Empty(duplicates);
    }

    [Fact]
    public void Catalogue_EveryEntryIsListedInAll()
    {
        var declared = typeof(EtcdErrors).GetFields().Where(f => f.FieldType == typeof(EtcdError)).Select(f => (EtcdError)f.GetValue(null)!);
        Assert.Equal(declared.Count(), EtcdErrors.All.Count);
        Assert.All(declared, e => Assert.Contains(e, EtcdErrors.All));
    }

    [Fact]
    public void Catalogue_MatchesTheFactsFile_TextAndCode()
    {
        var facts = File.ReadAllLines(Path.Combine(RepoPaths.Shared, "ETCD-FACTS.md"));
        var missing = new List<string>();
        foreach (var e in EtcdErrors.All)
        {
            // A row looks like: | InvalidArgument | `etcdserver: key is not provided` | ... |
            var row = facts.FirstOrDefault(l => l.StartsWith('|') && l.Split('|', StringSplitOptions.TrimEntries) is [_, _, var text, ..] && text == $"`{e.Message}`");
            if (row is null)
            {
                missing.Add($"not in the facts: {e.Message}");
                continue;
            }

            var code = row.Split('|', StringSplitOptions.TrimEntries)[1];
            var expected = e.Code == RpcCode.Cancelled ? "Canceled" : e.Code.ToString();
            if (!code.StartsWith(expected, StringComparison.Ordinal))
            {
                missing.Add($"code {e.Code} but the facts say '{code}': {e.Message}");
            }
        }

        Assert.Empty(missing);
    }

    [Fact]
    public void FromMessage_FindsTheEntry_OrNull()
    {
        Assert.Same(EtcdErrors.Compacted, EtcdErrors.FromMessage("etcdserver: mvcc: required revision has been compacted"));
        Assert.Null(EtcdErrors.FromMessage("etcdserver: something else"));
        Assert.Null(EtcdErrors.FromMessage(null));
    }
}
