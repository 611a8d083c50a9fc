using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Client;

/// <summary>
/// Compares for a transaction's If, read as sentences:
/// <c>Cmp.Version("k").Equal(0)</c> (the key does not exist), <c>Cmp.ModRevision("k").Less(10)</c>,
/// <c>Cmp.Value("k").Equal("v")</c>. <c>WithPrefix()</c> / <c>WithRange(end)</c> compare every key of a range (etcd 3.3+).
/// </summary>
public static class Cmp
{
    /// <summary>The key's version: 0 when it does not exist, 1 after its creation, +1 per put.</summary>
    public static NumberCmpTarget Version(ByteString key) => new(key, Compare.Types.CompareTarget.Version, ByteString.Empty);

    public static NumberCmpTarget Version(string key) => Version(Op.Utf8(key));

    /// <summary>The revision of the key's creation (0 when it does not exist).</summary>
    public static NumberCmpTarget CreateRevision(ByteString key) => new(key, Compare.Types.CompareTarget.Create, ByteString.Empty);

    public static NumberCmpTarget CreateRevision(string key) => CreateRevision(Op.Utf8(key));

    /// <summary>The revision of the key's last change.</summary>
    public static NumberCmpTarget ModRevision(ByteString key) => new(key, Compare.Types.CompareTarget.Mod, ByteString.Empty);

    public static NumberCmpTarget ModRevision(string key) => ModRevision(Op.Utf8(key));

    /// <summary>The key's lease id (0 when none).</summary>
    public static NumberCmpTarget Lease(ByteString key) => new(key, Compare.Types.CompareTarget.Lease, ByteString.Empty);

    public static NumberCmpTarget Lease(string key) => Lease(Op.Utf8(key));

    /// <summary>The key's value, compared byte by byte.</summary>
    public static ValueCmpTarget Value(ByteString key) => new(key, ByteString.Empty);

    public static ValueCmpTarget Value(string key) => Value(Op.Utf8(key));
}
