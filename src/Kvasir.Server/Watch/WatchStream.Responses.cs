using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;

namespace Kvasir.Server.Watch;

/// <summary>Turning queued items into etcd's WatchResponses, on the sender's thread.</summary>
public sealed partial class WatchStream
{
    /// <summary>The bytes an event adds to a WatchResponse: the tag of field 11, the length, the event.</summary>
    private static int EventFieldSize(Event e)
    {
        var size = e.CalculateSize();
        return 1 + CodedOutputStream.ComputeLengthSize(size) + size;
    }

    private void ToResponses(in Outgoing item, List<WatchResponse> responses)
    {
        if (item.Response is { } built)
        {
            responses.Add(built);
            return;
        }

        var watcher = item.Watcher!;
        var events = item.Events!;
        var response = new WatchResponse { Header = _hub.Header(item.Revision), WatchId = watcher.Id };
        var into = response.Events;
        for (var i = 0; i < events.Count; i++)
        {
            into.Add(watcher.PrevKv ? _hub.WithPrevKv(events[i]) : events[i]);
        }

        if (watcher.Fragment && events.Count > 1)
        {
            Fragment(response, responses);
        }
        else
        {
            responses.Add(response);
        }
    }

    /// <summary>
    /// etcd's sendFragments: a response of at least the fragment limit with two events or more goes
    /// out in pieces, each filled with events until the next would bring it to the limit (a piece
    /// always holds at least one), every piece but the last marked fragment=true.
    /// </summary>
    private void Fragment(WatchResponse response, List<WatchResponse> responses)
    {
        var limit = _hub.FragmentLimit;
        if (response.CalculateSize() < limit)
        {
            responses.Add(response);
            return;
        }

        var events = response.Events;
        var shell = Shell(response);
        var shellSize = shell.CalculateSize();
        var next = 0;
        while (true)
        {
            var piece = next == 0 ? shell : Shell(response);
            var size = shellSize;
            while (next < events.Count)
            {
                var added = EventFieldSize(events[next]);
                if (piece.Events.Count > 0 && size + added >= limit)
                {
                    break;
                }

                piece.Events.Add(events[next]);
                size += added;
                next++;
            }

            if (next == events.Count)
            {
                piece.Fragment = false;
                responses.Add(piece);
                return;
            }

            responses.Add(piece);
        }
    }

    /// <summary>The response without its events, marked as a fragment.</summary>
    private static WatchResponse Shell(WatchResponse response) => new()
    {
        Header = response.Header,
        WatchId = response.WatchId,
        Created = response.Created,
        Canceled = response.Canceled,
        CompactRevision = response.CompactRevision,
        CancelReason = response.CancelReason,
        Fragment = true,
    };
}
