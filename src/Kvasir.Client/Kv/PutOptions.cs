using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Client;

/// <summary>How a Put writes.</summary>
public sealed record PutOptions
{
    /// <summary>Attaches the key to this lease (0 = none); an unknown lease fails with <c>requested lease not found</c>.</summary>
    public long Lease { get; init; }

    /// <summary>Returns the key's previous value in <c>PrevKv</c>.</summary>
    public bool PrevKv { get; init; }

    /// <summary>Keeps the current value (the value given must be empty; the key must exist).</summary>
    public bool IgnoreValue { get; init; }

    /// <summary>Keeps the current lease (<see cref="Lease"/> must be 0; the key must exist).</summary>
    public bool IgnoreLease { get; init; }

    internal PutRequest ToRequest(ByteString key, ByteString value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        return new PutRequest { Key = key, Value = value, Lease = Lease, PrevKv = PrevKv, IgnoreValue = IgnoreValue, IgnoreLease = IgnoreLease };
    }
}
