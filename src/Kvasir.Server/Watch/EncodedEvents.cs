using Google.Protobuf;
using Kvasir.Api.Mvccpb;

namespace Kvasir.Server.Watch;

/// <summary>
/// Events that many responses share — one revision's, handed to every watcher that takes them, or
/// one sync round's for every watcher of a range — with the header revision of those responses.
/// Each event is encoded at most once as field 11 of a WatchResponse (tag, length, event), with
/// and without prev_kv, and the header once: senders encode on demand; two racing senders may both
/// encode, and either result is kept (they are equal). The events are shared and never changed.
/// </summary>
internal sealed class EncodedEvents(Event[] events, long revision)
{
    /// <summary>The tag of WatchResponse.events: field 11, length-delimited.</summary>
    private const byte EventsTag = (11 << 3) | 2;

    private readonly byte[]?[] _plain = new byte[events.Length][];
    private byte[]?[]? _withPrevKv;
    private byte[]? _header;

    public Event[] Events => events;

    public int Count => events.Length;

    /// <summary>The header revision of responses made from these events.</summary>
    public long Revision => revision;

    /// <summary>The header, encoded as field 1.</summary>
    public byte[] Header(WatchHub hub)
    {
        var header = Volatile.Read(ref _header);
        if (header is null)
        {
            header = hub.HeaderField(revision);
            Volatile.Write(ref _header, header);
        }

        return header;
    }

    /// <summary>
    /// Encodes events [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>)
    /// where not done yet — with their keys' previous values when <paramref name="prevKv"/>, looked
    /// up in the store — and returns the encodings (indexed like <see cref="Events"/>) and their total size.
    /// </summary>
    public (byte[]?[] Encodings, int Size) Encode(int start, int count, bool prevKv, WatchHub hub)
    {
        var cache = prevKv ? WithPrevKvCache() : _plain;
        var size = 0;
        for (var i = start; i < start + count; i++)
        {
            var encoded = Volatile.Read(ref cache[i]);
            if (encoded is null)
            {
                encoded = Encode(prevKv ? hub.WithPrevKv(events[i]) : events[i]);
                Volatile.Write(ref cache[i], encoded);
            }

            size += encoded.Length;
        }

        return (cache, size);
    }

    private static byte[] Encode(Event e)
    {
        var size = e.CalculateSize();
        var lengthSize = CodedOutputStream.ComputeLengthSize(size);
        var bytes = new byte[1 + lengthSize + size];
        bytes[0] = EventsTag;
        Varint.Write(bytes.AsSpan(1), (ulong)size);
        e.WriteTo(bytes.AsSpan(1 + lengthSize));
        return bytes;
    }

    private byte[]?[] WithPrevKvCache()
    {
        var cache = Volatile.Read(ref _withPrevKv);
        if (cache is null)
        {
            Interlocked.CompareExchange(ref _withPrevKv, new byte[events.Length][], null);
            cache = _withPrevKv!;
        }

        return cache;
    }
}
