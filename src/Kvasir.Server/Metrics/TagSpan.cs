namespace Kvasir.Server.Metrics;

/// <summary>A measurement's tags as the meter listener hands them over, usable as a dictionary key without copying.</summary>
internal readonly ref struct TagSpan(ReadOnlySpan<KeyValuePair<string, object?>> tags)
{
    public ReadOnlySpan<KeyValuePair<string, object?>> Tags { get; } = tags;
}
