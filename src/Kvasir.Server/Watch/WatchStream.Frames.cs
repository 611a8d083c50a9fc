using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Server.Watch;

/// <summary>Turning queued items into frames, on the sender's thread: prev_kv looked up, events encoded (once per shared run), large responses fragmented.</summary>
public sealed partial class WatchStream
{
    /// <summary>Takes everything queued as WatchResponse messages (events responses parsed from their frames). For tests and tools; the service reads frames.</summary>
    public int Read(List<WatchResponse> responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        var frames = new List<WatchFrame>();
        var events = Read(frames);
        foreach (var frame in frames)
        {
            responses.Add(frame.ToResponse());
        }

        return events;
    }

    private void ToFrames(in Outgoing item, List<WatchFrame> frames)
    {
        if (item.Response is { } reply)
        {
            frames.Add(new WatchFrame(reply));
            return;
        }

        var watcher = item.Watcher!;
        var shared = item.Events!;
        var (encoded, size) = shared.Encode(item.Start, item.Count, watcher.PrevKv, _hub);
        var header = shared.Header(_hub);
        var idSize = WatchFrame.IdFieldSize(watcher.Id);
        if (!watcher.Fragment || item.Count < 2 || header.Length + idSize + size < _hub.FragmentLimit)
        {
            frames.Add(new WatchFrame(header, watcher.Id, encoded, item.Start, item.Count, size, fragment: false));
            return;
        }

        // etcd's sendFragments: a response at the limit with two events or more goes out in pieces,
        // each filled with events until the next would bring it (marked as a fragment) to the limit —
        // a piece always holds at least one — every piece but the last marked fragment.
        var limit = _hub.FragmentLimit;
        var shellSize = header.Length + idSize + 2;
        var end = item.Start + item.Count;
        var next = item.Start;
        while (next < end)
        {
            var first = next;
            var pieceSize = 0;
            while (next < end && (next == first || shellSize + pieceSize + encoded[next]!.Length < limit))
            {
                pieceSize += encoded[next]!.Length;
                next++;
            }

            frames.Add(new WatchFrame(header, watcher.Id, encoded, first, next - first, pieceSize, fragment: next < end));
        }
    }
}
