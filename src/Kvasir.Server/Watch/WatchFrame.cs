using System.Buffers;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Server.Watch;

/// <summary>
/// One WatchResponse as the Watch service writes it. A reply (created, canceled, progress,
/// compacted) is a message; an events response is written from shared bytes — the header encoded
/// once per revision, each event encoded once for every watcher that takes it — with only the
/// watch id its own. The bytes are exactly those of the equivalent WatchResponse message (fields in
/// number order, defaults left out). Immutable; its size is known when it is made.
/// </summary>
public sealed class WatchFrame
{
    private const byte WatchIdTag = 2 << 3;
    private const byte FragmentTag = 7 << 3;

    private readonly WatchResponse? _message;
    private readonly byte[]? _header;
    private readonly long _watchId;
    private readonly byte[]?[]? _events;
    private readonly int _start;
    private readonly int _count;
    private readonly bool _fragment;
    private readonly Run[]? _runs;

    internal WatchFrame(WatchResponse message)
    {
        _message = message;
        Size = message.CalculateSize();
    }

    /// <param name="header">Field 1, encoded.</param>
    /// <param name="events">Field 11 of events, encoded; this frame writes [<paramref name="start"/>, + <paramref name="count"/>), <paramref name="eventsSize"/> bytes.</param>
    internal WatchFrame(byte[] header, long watchId, byte[]?[] events, int start, int count, int eventsSize, bool fragment)
    {
        _header = header;
        _watchId = watchId;
        _events = events;
        _start = start;
        _count = count;
        _fragment = fragment;
        Size = header.Length + IdFieldSize(watchId) + (fragment ? 2 : 0) + eventsSize;
    }

    private WatchFrame(byte[] header, long watchId, Run[] runs, int eventsSize)
    {
        _header = header;
        _watchId = watchId;
        _runs = runs;
        foreach (var run in runs)
        {
            _count += run.Count;
        }

        Size = header.Length + IdFieldSize(watchId) + eventsSize;
    }

    /// <summary>The protobuf encoding's length.</summary>
    public int Size { get; }

    public long WatchId => _message?.WatchId ?? _watchId;

    public int EventCount => _message?.Events.Count ?? _count;

    /// <summary>The marshaller the service writes frames with (it never reads one).</summary>
    public static Kvasir.Grpc.Marshaller<WatchFrame> Marshaller { get; } = new WatchFrameMarshaller();

    /// <summary>The size of the watch_id field for <paramref name="watchId"/> (nothing for 0, as protobuf leaves defaults out).</summary>
    internal static int IdFieldSize(long watchId) => watchId == 0 ? 0 : 1 + CodedOutputStream.ComputeInt64Size(watchId);

    /// <summary>
    /// One response holding several runs of shared events, in order (a watcher's queued revisions
    /// joined): <paramref name="header"/> is the last run's, <paramref name="eventsSize"/> the runs'
    /// encoded bytes. Never a fragment.
    /// </summary>
    internal static WatchFrame Joined(byte[] header, long watchId, Run[] runs, int eventsSize) => new(header, watchId, runs, eventsSize);

    /// <summary>Writes the encoding into <paramref name="destination"/>, exactly <see cref="Size"/> bytes long.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (_message is not null)
        {
            _message.WriteTo(destination);
            return;
        }

        _header.CopyTo(destination);
        var at = _header!.Length;
        at += WriteHead(destination[at..]);
        if (_runs is null)
        {
            WriteRun(new Run(_events!, _start, _count), destination[at..]);
            return;
        }

        foreach (var run in _runs)
        {
            at += WriteRun(run, destination[at..]);
        }
    }

    private static int WriteRun(Run run, Span<byte> destination)
    {
        var at = 0;
        for (var i = run.Start; i < run.Start + run.Count; i++)
        {
            var e = run.Events[i]!;
            e.CopyTo(destination[at..]);
            at += e.Length;
        }

        return at;
    }

    /// <summary>Writes the encoding to a buffer writer, a piece at a time (no copy of the whole).</summary>
    public void WriteTo(IBufferWriter<byte> destination)
    {
        if (_message is not null)
        {
            _message.WriteTo(destination);
            return;
        }

        destination.Write(_header);
        var head = destination.GetSpan(16);
        destination.Advance(WriteHead(head));
        if (_runs is null)
        {
            WriteRun(new Run(_events!, _start, _count), destination);
            return;
        }

        foreach (var run in _runs)
        {
            WriteRun(run, destination);
        }
    }

    private static void WriteRun(Run run, IBufferWriter<byte> destination)
    {
        for (var i = run.Start; i < run.Start + run.Count; i++)
        {
            destination.Write(run.Events[i]);
        }
    }

    /// <summary>The response as a message (parsed from the encoding, for an events response).</summary>
    public WatchResponse ToResponse()
    {
        if (_message is not null)
        {
            return _message;
        }

        var bytes = new byte[Size];
        WriteTo(bytes);
        return WatchResponse.Parser.ParseFrom(bytes);
    }

    /// <summary>Events [<paramref name="Start"/>, + <paramref name="Count"/>) of shared encodings (field 11 each).</summary>
    internal readonly record struct Run(byte[]?[] Events, int Start, int Count);

    /// <summary>Writes watch_id and fragment (the fields between the header and the events); returns the bytes written.</summary>
    private int WriteHead(Span<byte> destination)
    {
        var at = 0;
        if (_watchId != 0)
        {
            destination[at++] = WatchIdTag;
            at += Varint.Write(destination[at..], (ulong)_watchId);
        }

        if (_fragment)
        {
            destination[at++] = FragmentTag;
            destination[at++] = 1;
        }

        return at;
    }
}
