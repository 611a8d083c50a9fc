using System.Threading.Channels;
using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Client.Internal;

/// <summary>
/// One watch as the stream loop sees it: what to (re)create, the revision to resume from, the server's
/// id while registered, and the bounded buffer its reader drains. Everything but <see cref="Close"/> and
/// the buffer's reading side belongs to the loop.
/// </summary>
internal sealed class Watcher
{
    private readonly WatchCreateRequest _request;
    private readonly Channel<WatchResponse> _buffer;
    private readonly CancellationTokenSource _closed = new();

    public Watcher(WatchCreateRequest request, bool createdNotify, int capacity)
    {
        _request = request;
        CreatedNotify = createdNotify;
        NextRevision = request.StartRevision;
        _buffer = Channel.CreateBounded<WatchResponse>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public bool CreatedNotify { get; }

    /// <summary>The server's watch id while registered on the current stream, else null.</summary>
    public long? Id { get; set; }

    /// <summary>
    /// The first revision not yet delivered: the start revision until the watch is created (0 = "now"),
    /// then one past the last event or the last progress notification. A resumed watch starts here, so
    /// its reader sees every revision once.
    /// </summary>
    public long NextRevision { get; private set; }

    /// <summary>True once the created response was delivered (a resumed watch's new one is not).</summary>
    public bool CreatedSeen { get; set; }

    /// <summary>How many times in a row its creation was refused for a stale token (bounds the retries).</summary>
    public int AuthRetries { get; set; }

    public ChannelReader<WatchResponse> Reader => _buffer.Reader;

    /// <summary>True once the reader let go of the watch.</summary>
    public bool IsClosed => _closed.IsCancellationRequested;

    /// <summary>The create request to send now: resumes at <see cref="NextRevision"/> when there is one.</summary>
    public WatchRequest CreateRequest()
    {
        var create = _request.Clone();
        create.StartRevision = NextRevision;
        return new WatchRequest { CreateRequest = create };
    }

    /// <summary>Notes that the watch is registered; a watch from "now" resumes after the revision it was created at.</summary>
    public void Created(WatchResponse response)
    {
        Id = response.WatchId;
        AuthRetries = 0;
        if (NextRevision == 0 && response.Header is { } header)
        {
            NextRevision = header.Revision + 1;
        }
    }

    /// <summary>Advances <see cref="NextRevision"/> past what <paramref name="response"/> reports.</summary>
    public void Advance(WatchResponse response)
    {
        var events = response.Events;
        if (events.Count > 0)
        {
            NextRevision = Math.Max(NextRevision, events[^1].Kv.ModRevision + 1);
        }
        else if (response.Header is { Revision: > 0 } header && NextRevision != 0)
        {
            NextRevision = Math.Max(NextRevision, header.Revision + 1);
        }
    }

    /// <summary>Hands a response to the reader, waiting while its buffer is full; gives up when the reader closed the watch.</summary>
    public async ValueTask DeliverAsync(WatchResponse response)
    {
        try
        {
            await _buffer.Writer.WriteAsync(response, _closed.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (ChannelClosedException)
        {
        }
    }

    /// <summary>Ends the watch for its reader: after the buffered responses, the enumeration ends, or throws <paramref name="error"/>.</summary>
    public void Finish(Exception? error) => _buffer.Writer.TryComplete(error);

    /// <summary>The reader let go: delivery stops waiting for it. Idempotent; called from the reader's side.</summary>
    public void Close()
    {
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        _buffer.Writer.TryComplete();
    }
}
