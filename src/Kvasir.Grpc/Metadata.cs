using System.Collections;

namespace Kvasir.Grpc;

/// <summary>
/// gRPC metadata: an ordered list of (key, value) pairs sent as HTTP/2 headers or trailers. Keys
/// are lower-case <c>[0-9a-z-_.]</c>; values are printable ASCII (binary <c>-bin</c> metadata is
/// not supported). Bad keys or values are refused when added, so nothing malformed reaches the wire.
/// Not thread-safe: one call owns it.
/// </summary>
public sealed class Metadata : IReadOnlyList<KeyValuePair<string, string>>
{
    private readonly List<KeyValuePair<string, string>> _entries = [];
    private readonly bool _readOnly;

    public Metadata()
    {
    }

    private Metadata(bool readOnly)
    {
        _readOnly = readOnly;
    }

    /// <summary>A shared empty list that refuses additions.</summary>
    public static Metadata Empty { get; } = new(readOnly: true);

    public int Count => _entries.Count;

    public KeyValuePair<string, string> this[int index] => _entries[index];

    /// <summary>Adds an entry. Throws <see cref="ArgumentException"/> for a key or value gRPC cannot carry.</summary>
    public Metadata Add(string key, string value)
    {
        if (_readOnly)
        {
            throw new InvalidOperationException("this metadata is read-only");
        }

        ValidateKey(key);
        ValidateValue(key, value);
        _entries.Add(new(key, value));
        return this;
    }

    /// <summary>The first value of <paramref name="key"/>, or null.</summary>
    public string? Get(string key)
    {
        foreach (var (k, v) in _entries)
        {
            if (string.Equals(k, key, StringComparison.Ordinal))
            {
                return v;
            }
        }

        return null;
    }

    /// <summary>A struct enumerator: a foreach over metadata on the call path allocates nothing.</summary>
    public List<KeyValuePair<string, string>>.Enumerator GetEnumerator() => _entries.GetEnumerator();

    IEnumerator<KeyValuePair<string, string>> IEnumerable<KeyValuePair<string, string>>.GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _entries.GetEnumerator();

    /// <summary>Adds without validation: for values received from the wire, already well-formed.</summary>
    internal void AddReceived(string key, string value) => _entries.Add(new(key, value));

    internal static void ValidateKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        foreach (var c in key)
        {
            if (!(c is >= 'a' and <= 'z' || c is >= '0' and <= '9' || c is '-' or '_' or '.'))
            {
                throw new ArgumentException($"metadata key '{key}' has '{c}': keys are lower-case [0-9a-z-_.]", nameof(key));
            }
        }

        if (key.StartsWith(':') || key.StartsWith("grpc-", StringComparison.Ordinal) || key.EndsWith("-bin", StringComparison.Ordinal))
        {
            throw new ArgumentException($"metadata key '{key}' is reserved by gRPC or binary", nameof(key));
        }
    }

    internal static void ValidateValue(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                throw new ArgumentException($"metadata value of '{key}' has a character outside printable ASCII", nameof(value));
            }
        }
    }
}
