using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Client;

/// <summary>A numeric property of a key (version, create or mod revision, lease) about to be compared. Made by <see cref="Cmp"/>.</summary>
public readonly struct NumberCmpTarget
{
    private readonly ByteString _key;
    private readonly Compare.Types.CompareTarget _target;
    private readonly ByteString _rangeEnd;

    internal NumberCmpTarget(ByteString key, Compare.Types.CompareTarget target, ByteString rangeEnd)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = key;
        _target = target;
        _rangeEnd = rangeEnd;
    }

    /// <summary>Compares every key in [key, end) instead of the key alone.</summary>
    public NumberCmpTarget WithRange(ByteString end) => new(_key, _target, end ?? throw new ArgumentNullException(nameof(end)));

    /// <summary>Compares every key that starts with the key.</summary>
    public NumberCmpTarget WithPrefix() => new(_key, _target, KeyRange.PrefixEnd(_key));

    public Compare Equal(long value) => Make(Compare.Types.CompareResult.Equal, value);

    public Compare NotEqual(long value) => Make(Compare.Types.CompareResult.NotEqual, value);

    public Compare Greater(long value) => Make(Compare.Types.CompareResult.Greater, value);

    public Compare Less(long value) => Make(Compare.Types.CompareResult.Less, value);

    private Compare Make(Compare.Types.CompareResult result, long value)
    {
        if (_key is null)
        {
            throw new InvalidOperationException("make compares with Cmp.Version, Cmp.CreateRevision, Cmp.ModRevision or Cmp.Lease");
        }

        var compare = new Compare { Key = _key, RangeEnd = _rangeEnd, Result = result, Target = _target };
        switch (_target)
        {
            case Compare.Types.CompareTarget.Version:
                compare.Version = value;
                break;
            case Compare.Types.CompareTarget.Create:
                compare.CreateRevision = value;
                break;
            case Compare.Types.CompareTarget.Mod:
                compare.ModRevision = value;
                break;
            default:
                compare.Lease = value;
                break;
        }

        return compare;
    }
}
