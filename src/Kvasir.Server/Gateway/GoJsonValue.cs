namespace Kvasir.Server.Gateway;

/// <summary>
/// One JSON value as Go's encoding/json hands it to the protobuf JSON reader: its kind, its raw
/// text in the source buffer (strings with their quotes, escapes untouched), and for arrays and
/// objects their elements. Object members keep their order; a key given twice appears twice
/// (the reader lets the last win, as Go's map does). Owned by one request; never shared.
/// </summary>
internal sealed class GoJsonValue
{
    public GoJsonValue(GoJsonKind kind, byte[] source, int start)
    {
        Kind = kind;
        Source = source;
        Start = start;
    }

    public GoJsonKind Kind { get; }

    /// <summary>The buffer the value was read from.</summary>
    public byte[] Source { get; }

    /// <summary>Offset of the value's first byte in <see cref="Source"/>.</summary>
    public int Start { get; }

    /// <summary>Length of the value's text, set when the scanner reaches its end.</summary>
    public int Length { get; set; }

    /// <summary>The elements of an array; null otherwise.</summary>
    public List<GoJsonValue>? Items { get; set; }

    /// <summary>The members of an object, keys unquoted as Go unquotes them; null otherwise.</summary>
    public List<KeyValuePair<string, GoJsonValue>>? Members { get; set; }

    /// <summary>The raw text of the value.</summary>
    public ReadOnlySpan<byte> Raw => Source.AsSpan(Start, Length);

    /// <summary>For a string, its raw text between the quotes (escapes not decoded).</summary>
    public ReadOnlySpan<byte> RawContent => Source.AsSpan(Start + 1, Length - 2);

    /// <summary>The word Go's <c>UnmarshalTypeError</c> uses for this kind ("string", "number", ...).</summary>
    public string GoKindName => Kind switch
    {
        GoJsonKind.String => "string",
        GoJsonKind.Number => "number",
        GoJsonKind.True or GoJsonKind.False => "bool",
        GoJsonKind.Array => "array",
        GoJsonKind.Object => "object",
        _ => "null",
    };
}
