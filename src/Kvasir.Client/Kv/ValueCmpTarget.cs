using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Client;

/// <summary>A key's value about to be compared (byte-wise). Made by <see cref="Cmp.Value(ByteString)"/>.</summary>
public readonly struct ValueCmpTarget
{
    private readonly ByteString _key;
    private readonly ByteString _rangeEnd;

    internal ValueCmpTarget(ByteString key, ByteString rangeEnd)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = key;
        _rangeEnd = rangeEnd;
    }

    /// <summary>Compares the value of every key in [key, end).</summary>
    public ValueCmpTarget WithRange(ByteString end) => new(_key, end ?? throw new ArgumentNullException(nameof(end)));

    /// <summary>Compares the value of every key that starts with the key.</summary>
    public ValueCmpTarget WithPrefix() => new(_key, KeyRange.PrefixEnd(_key));

    public Compare Equal(ByteString value) => Make(Compare.Types.CompareResult.Equal, value);

    public Compare Equal(string value) => Equal(Op.Utf8(value));

    public Compare NotEqual(ByteString value) => Make(Compare.Types.CompareResult.NotEqual, value);

    public Compare NotEqual(string value) => NotEqual(Op.Utf8(value));

    public Compare Greater(ByteString value) => Make(Compare.Types.CompareResult.Greater, value);

    public Compare Greater(string value) => Greater(Op.Utf8(value));

    public Compare Less(ByteString value) => Make(Compare.Types.CompareResult.Less, value);

    public Compare Less(string value) => Less(Op.Utf8(value));

    private Compare Make(Compare.Types.CompareResult result, ByteString value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_key is null)
        {
            throw new InvalidOperationException("make value compares with Cmp.Value");
        }

        return new Compare { Key = _key, RangeEnd = _rangeEnd, Result = result, Target = Compare.Types.CompareTarget.Value, Value = value };
    }
}
